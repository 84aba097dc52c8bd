export { feedbackRoutes } from "./routes.ts";
export {
  eraseFeedback,
  type FeedbackEntry,
  type FeedbackInput,
  listFeedback,
  recordFeedback,
} from "./store.ts";
