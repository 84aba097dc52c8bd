import type { RuntimeConfig } from "../config.ts";
import { hashedUrl } from "./content-hash.ts";
import { escapeHtml as e } from "./escape.ts";

/** The header's "Help and feedback" button and its dialog: a short form, this WebSplat's uptime, the help page. */
export function supportPanel(config: RuntimeConfig): string {
  return `<button type="button" id="help-open" class="quiet" aria-haspopup="dialog">Help and feedback</button>
<dialog id="help-dialog" aria-labelledby="help-title" class="help-dialog">
  <form id="feedback-form" method="dialog">
    <h2 id="help-title">Help and feedback</h2>
    <p>New to WebSplat? Read <a href="/help" target="_blank" rel="noopener">how the builder works</a>.</p>
    <p id="uptime" class="help" aria-live="polite">Checking how your WebSplat has been doing…</p>
    <label for="feedback-message">What happened, or what would help?</label>
    <textarea id="feedback-message" name="message" rows="4" maxlength="4000" required></textarea>
    <label class="check"><input type="checkbox" id="feedback-contact" name="mayContact" checked> You may contact me about this at ${e(config.ownerEmail)}</label>
    <p id="feedback-status" role="status" aria-live="polite"></p>
    <div class="actions">
      <button type="submit" id="feedback-send">Send</button>
      <button type="button" id="help-close" class="quiet">Close</button>
    </div>
    <p class="help">Or write to <a href="mailto:${e(config.supportEmail)}">${e(config.supportEmail)}</a>.</p>
  </form>
</dialog>`;
}

/** The builder's footer: where to get help. */
export function supportFooter(config: RuntimeConfig): string {
  return `<footer class="support-footer"><p>Need help? <a href="/help">How the builder works</a> · <a href="mailto:${e(config.supportEmail)}">${e(config.supportEmail)}</a></p></footer>`;
}

const SCRIPT = `
const dialog = document.getElementById('help-dialog');
const form = document.getElementById('feedback-form');
const status = document.getElementById('feedback-status');
const send = document.getElementById('feedback-send');
const uptime = document.getElementById('uptime');
const describe = (data) => {
  if (data.uptime === null) return 'Uptime: measured from the next few minutes on.';
  const now = data.state === 'down' ? 'unreachable right now' : data.state === 'idle' ? 'asleep right now (it wakes when you visit)' : 'up right now';
  return 'Your WebSplat is ' + now + '; uptime over 30 days: ' + (Math.floor(data.uptime * 10000) / 100).toFixed(2) + ' %.';
};
async function loadUptime() {
  try {
    const response = await fetch('/api/support/uptime');
    const data = await response.json();
    uptime.textContent = response.ok ? describe(data) : data.error.message;
  } catch {
    uptime.textContent = 'Uptime is not available just now.';
  }
}
document.getElementById('help-open').addEventListener('click', () => {
  status.textContent = '';
  dialog.showModal();
  loadUptime();
});
document.getElementById('help-close').addEventListener('click', () => dialog.close());
form.addEventListener('submit', async (event) => {
  event.preventDefault();
  send.disabled = true;
  status.textContent = 'Sending…';
  try {
    const response = await fetch('/api/support/feedback', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        message: document.getElementById('feedback-message').value,
        mayContact: document.getElementById('feedback-contact').checked,
        page: document.getElementById('project')?.selectedOptions[0]?.textContent ?? null,
      }),
    });
    const data = await response.json();
    if (!response.ok) throw new Error(data.error.message);
    form.reset();
    status.textContent = 'Thank you: we have it, and we read every message.';
  } catch (error) {
    status.textContent = 'Not sent: ' + error.message;
  } finally {
    send.disabled = false;
  }
});
`;

/** The panel's script under its content-hashed URL. */
export function supportAssets() {
  return { script: { url: hashedUrl("support.js", SCRIPT), body: SCRIPT } };
}
