import type { RuntimeConfig } from "../config.ts";
import { autonomyLevels, creativityLevels } from "../policy/index.ts";
import { builderAssetUrls } from "./builder-assets.ts";
import { escapeHtml as e } from "./escape.ts";
import { publishPanel } from "./publish-panel.ts";
import { supportAssets, supportFooter, supportPanel } from "./support-panel.ts";

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
<link rel="stylesheet" href="${builderAssetUrls.styles}">
<script type="application/json" id="levels">${levels}</script>
<link rel="stylesheet" href="/ui/publish.css">
<script type="module" src="/ui/publish.js"></script>
<script type="module" src="${builderAssetUrls.script}"></script>
<script type="module" src="${supportAssets().script.url}"></script>
</head>
<body>
<header class="top">
  <h1 class="brand">WebSplat <span class="visually-hidden">builder</span></h1>
  <label class="project">Site <select id="project"></select></label>
  <button type="button" id="new-project" class="quiet">New site</button>
  <p class="meter" id="meter" aria-live="polite">Tokens this month: …</p>
  ${supportPanel(config)}
  <a href="/billing" id="plan-and-billing" class="quiet">Plan and billing</a>
</header>
<main class="builder">
  <section class="chat" aria-labelledby="chat-title">
    <h2 id="chat-title" class="visually-hidden">Conversation</h2>
    <div class="log" role="log" aria-live="polite" aria-label="Messages"><ol id="messages" class="messages" tabindex="0" aria-label="Conversation so far"></ol></div>
    <div id="progress" class="progress" role="status" aria-live="polite"><span id="status">Idle</span> <span id="stage"></span> <span id="streamed"></span></div>
    <div id="pending" class="pending" aria-live="assertive"></div>
    <div id="suggestions" class="suggestions"></div>
    <form id="prompt-form" class="prompt">
      <label for="prompt">What should WebSplat build?</label>
      <textarea id="prompt" name="prompt" rows="3" required placeholder="A site for my café “Harbor Beans” with an about section, a menu and contact. We are open daily 8am–4pm."></textarea>
      <div class="about-this">
        <label for="section">About <select id="section"><option value="">the whole site</option></select></label>
        <p class="help" id="section-help">Or click a section in the preview to change just that part.</p>
      </div>
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
    <div id="placeholders" class="placeholders" aria-live="polite"></div>
  </section>
  <section class="timeline" aria-labelledby="timeline-title">
    <h2 id="timeline-title">Timeline</h2>
    <div class="timeline-tools">
      <label>Restore <select id="scope"><option value="both">files and conversation</option><option value="files">files only</option><option value="conversation">conversation only</option></select></label>
      <button type="button" id="redo" class="quiet" hidden>Redo</button>
    </div>
    <ol id="checkpoints" class="checkpoints"></ol>
    <form id="compare-form" class="compare">
      <label for="compare-from">Compare</label> <select id="compare-from"></select>
      <label for="compare-to">with</label> <select id="compare-to"></select>
      <button type="submit" class="quiet">Show changes</button>
    </form>
    <div id="comparison" class="comparison" aria-live="polite"></div>
  </section>
</main>
${publishPanel()}
${supportFooter(config)}
</body>
</html>`;
}
