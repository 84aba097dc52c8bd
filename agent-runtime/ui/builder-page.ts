import type { RuntimeConfig } from "../config.ts";
import { autonomyLevels, creativityLevels } from "../policy/index.ts";
import { escapeHtml as e } from "./escape.ts";

/** The builder: chat, sliders, plan and suggestions, timeline, live preview. Served with no external assets. */
export function builderPage(config: RuntimeConfig): string {
  const levels = JSON.stringify({ autonomy: autonomyLevels, creativity: creativityLevels }).replace(
    /</g,
    "\\u003c",
  );
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>WebSplat · ${e(config.tenant)}</title>
<link rel="stylesheet" href="/ui/builder.css">
<script type="application/json" id="levels">${levels}</script>
<script type="module" src="/ui/builder.js"></script>
</head>
<body>
<header class="top">
  <strong class="brand">WebSplat</strong>
  <label class="project">Site <select id="project"></select></label>
  <button type="button" id="new-project" class="quiet">New site</button>
  <p class="meter" id="meter" aria-live="polite">Tokens this month: …</p>
  <a href="/billing" id="plan-and-billing" class="quiet">Plan and billing</a>
</header>
<main class="builder">
  <section class="chat" aria-labelledby="chat-title">
    <h2 id="chat-title" class="visually-hidden">Conversation</h2>
    <ol id="messages" class="messages" role="log" aria-live="polite"></ol>
    <div id="progress" class="progress" role="status" aria-live="polite"><span id="status">Idle</span> <span id="stage"></span> <span id="streamed"></span></div>
    <div id="pending" class="pending" aria-live="assertive"></div>
    <div id="suggestions" class="suggestions"></div>
    <form id="prompt-form" class="prompt">
      <label for="prompt">What should WebSplat build?</label>
      <textarea id="prompt" name="prompt" rows="3" required placeholder="A site for my café “Harbor Beans” with an about section, a menu and contact. We are open daily 8am–4pm."></textarea>
      <div class="sliders">
        <div class="slider">
          <label for="autonomy">Autonomy: <output id="autonomy-name" for="autonomy"></output></label>
          <input type="range" id="autonomy" min="0" max="4" step="1" value="1" aria-describedby="autonomy-help">
          <p id="autonomy-help" class="help"></p>
        </div>
        <div class="slider">
          <label for="creativity">Creativity: <output id="creativity-name" for="creativity"></output></label>
          <input type="range" id="creativity" min="0" max="4" step="1" value="2" aria-describedby="creativity-help">
          <p id="creativity-help" class="help"></p>
        </div>
      </div>
      <div class="actions">
        <button type="submit" id="send">Send</button>
        <button type="button" id="stop" class="danger" disabled>Stop</button>
      </div>
      <p id="error" class="error" role="alert"></p>
    </form>
  </section>
  <section class="preview" aria-labelledby="preview-title">
    <h2 id="preview-title">Preview</h2>
    <iframe id="preview" title="Preview of your site" sandbox="allow-same-origin"></iframe>
  </section>
  <section class="timeline" aria-labelledby="timeline-title">
    <h2 id="timeline-title">Timeline</h2>
    <div class="timeline-tools">
      <label>Restore <select id="scope"><option value="both">files and conversation</option><option value="files">files only</option><option value="conversation">conversation only</option></select></label>
      <button type="button" id="redo" class="quiet" hidden>Redo</button>
    </div>
    <ol id="checkpoints" class="checkpoints"></ol>
  </section>
</main>
</body>
</html>`;
}
