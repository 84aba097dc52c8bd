export { hasLocalMailbox, mailboxKey, mailboxRoutes } from "./mailbox.ts";
export { EMAIL_QUEUE, Mailer, type MailerOptions, type MailLane, SIGN_IN_EMAIL_QUEUE } from "./mailer.ts";
export * from "./templates.ts";
export {
  createMailTransport,
  type MailTransport,
  type OutgoingMessage,
  outboxFileName,
} from "./transport.ts";
