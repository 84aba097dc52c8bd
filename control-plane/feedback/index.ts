export { feedbackRoutes } from "./routes.ts";
export { type FeedbackEntry, type FeedbackInput, listFeedback, recordFeedback } from "./store.ts";
