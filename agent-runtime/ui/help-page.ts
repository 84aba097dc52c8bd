import type { RuntimeConfig } from "../config.ts";
import { autonomyLevels, creativityLevels, type Level } from "../policy/index.ts";
import { escapeHtml as e } from "./escape.ts";

/** `/help`: how the builder works, for an owner who has never built a website. */
export function helpPage(config: RuntimeConfig): string {
  const levels = (list: readonly Level[]) =>
    `<dl class="levels">${list.map((l) => `<dt>${l.level} · ${e(l.name)}</dt><dd>${e(l.explanation)}</dd>`).join("")}</dl>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>How the builder works · WebSplat</title>
<style>
body{margin:0;font:16px/1.6 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1c1b22;background:#f7f7fb}
main{max-width:46rem;margin:0 auto;padding:1.5rem 1.25rem 3rem}
h1{font-size:1.8rem;line-height:1.2}h2{margin-top:2rem;font-size:1.25rem}
a{color:#4b3fd6}.levels dt{font-weight:600;margin-top:.5rem}.levels dd{margin:0 0 .25rem 0}
.tip{background:#fff;border:1px solid #e3e1ec;border-radius:10px;padding:.75rem 1rem}
</style>
</head>
<body>
<main>
<p><a href="/">← Back to your builder</a></p>
<h1>How the builder works</h1>
<p>WebSplat builds your website with you. You say what you want in your own words; a small team of AI helpers
plans the site, designs it, writes it, and checks it. You watch the preview change as they work, and you stay in charge.</p>

<h2>Asking for something</h2>
<p>Type what you want in the box, the way you would explain it to a friend: what your business is, who it is for, which pages
you need, your opening hours, your tone. Then press <strong>Send</strong>. The more you tell, the closer the first version is.</p>
<p class="tip">Example: “A site for my café Harbor Beans, with a menu, our story and how to find us. We are open every day from 8 to 4. Warm and friendly.”</p>

<h2>Autonomy: how much the helpers decide on their own</h2>
<p>The <strong>Autonomy</strong> slider says how free the helpers are. At the low end they do only what you asked and wait for your
yes before building; at the high end they plan, add and improve by themselves. Their own ideas, at low settings, appear as
suggestions you can accept with one click.</p>
${levels(autonomyLevels)}

<h2>Creativity: how far the design may go</h2>
<p>The <strong>Creativity</strong> slider says how closely the wording, layout and colours stick to what you described, and how many
design directions the helpers try before choosing one.</p>
${levels(creativityLevels)}

<h2>Stop, go back, try again</h2>
<ul>
<li><strong>Stop</strong> ends the work in progress at once. Nothing is lost: what was built so far is kept.</li>
<li>The <strong>Timeline</strong> lists every step as a saved version. Choose one and restore it to go back: the files, the conversation, or both.
Restoring never deletes anything, so you can always come back (use <strong>Redo</strong>).</li>
<li>To change something, just write again (“make the menu bigger”, “use green instead of blue”). If the helpers are still
busy, your message steers the work in progress at the next step.</li>
<li>When the helpers ask a question or show a plan, answer it or approve it in the chat; they wait for you.</li>
</ul>

<h2>Publishing</h2>
<p>While you build, only you see the site, in the preview. When you are happy, <strong>Publish</strong> puts the current version online at
its own public address. You can publish again after changes, go back to an earlier published version, or take the site offline.
On plans with a custom domain you can use your own address (like www.yourcafe.com): the builder shows the records to add at
the company where you bought your domain, and checks them for you.</p>

<h2>Limits of your plan</h2>
<p>Your plan includes a number of sites and a monthly amount of AI work (shown at the top as “tokens this month”). When you reach a limit,
the builder tells you plainly; nothing is cut off without a message.</p>

<h2>Getting help</h2>
<p>Use <strong>Help and feedback</strong> at the top of the builder to tell us what happened; we read every message. Or write to
<a href="mailto:${e(config.supportEmail)}">${e(config.supportEmail)}</a>.</p>
</main>
</body>
</html>`;
}
