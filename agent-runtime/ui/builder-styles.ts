export const builderStyles = `
:root{--bg:#f7f7fb;--panel:#fff;--text:#1c1b22;--muted:#5a5868;--accent:#4b3fd6;--danger:#b42318;--line:#e3e1ec;font:15px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;color:var(--text);background:var(--bg)}
*{box-sizing:border-box}body{margin:0}
.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
.top{display:flex;flex-wrap:wrap;gap:.75rem 1rem;align-items:center;padding:.75rem 1rem;background:var(--panel);border-bottom:1px solid var(--line)}
.brand{font-size:1.1rem;margin:0;color:var(--accent)}.meter{margin:0 0 0 auto;color:var(--muted)}
.builder{display:grid;gap:1rem;padding:1rem;grid-template-columns:minmax(20rem,1fr) minmax(24rem,1.4fr);grid-template-areas:"chat preview" "chat timeline"}
.chat{grid-area:chat;display:flex;flex-direction:column;gap:.75rem}.preview{grid-area:preview}.timeline{grid-area:timeline}
section{background:var(--panel);border:1px solid var(--line);border-radius:10px;padding:1rem}
h2{font-size:1rem;margin:0 0 .5rem}
.messages{list-style:none;margin:0;padding:0;display:flex;flex-direction:column;gap:.5rem;max-height:40vh;overflow:auto}
.messages li{padding:.5rem .75rem;border-radius:8px;background:#f0eff7}.messages li.user{background:#e7e4ff;align-self:flex-end}
.progress{color:var(--muted);font-size:.9rem}
.pending:empty,.suggestions:empty{display:none}
.pending,.suggestions{border:1px solid var(--accent);border-radius:8px;padding:.75rem}
.pending ol{margin:.25rem 0 .5rem}
.suggestions ul{list-style:none;padding:0;margin:0;display:grid;gap:.4rem}
.prompt{display:grid;gap:.5rem}
textarea,select,input[type=text]{font:inherit;padding:.5rem;border:1px solid var(--line);border-radius:6px;width:100%}
.sliders{display:grid;gap:.75rem;grid-template-columns:1fr 1fr}
.slider input{width:100%}.help{margin:0;color:var(--muted);font-size:.85rem;min-height:2.6em}
output{font-weight:700}
.actions{display:flex;gap:.5rem}
button{font:inherit;font-weight:600;padding:.45rem .9rem;border-radius:6px;border:1px solid var(--accent);background:var(--accent);color:#fff;cursor:pointer}
button.quiet{background:transparent;color:var(--accent)}button.danger{background:var(--danger);border-color:var(--danger)}
button:disabled{opacity:.45;cursor:not-allowed}
button:focus-visible,select:focus-visible,textarea:focus-visible,input:focus-visible{outline:3px solid #f5b400;outline-offset:2px}
.error{color:var(--danger);margin:0;min-height:1.2em}
iframe{width:100%;height:60vh;border:1px solid var(--line);border-radius:8px;background:#fff}
.timeline-tools{display:flex;gap:.5rem;align-items:end;margin-bottom:.5rem}
.checkpoints{list-style:none;margin:0;padding:0;display:grid;gap:.35rem;max-height:30vh;overflow:auto}
.checkpoints li{display:flex;gap:.5rem;align-items:center;justify-content:space-between;padding:.35rem .5rem;border-radius:6px;background:#f7f6fb}
.checkpoints li.head{outline:2px solid var(--accent)}
.kind{font-size:.75rem;text-transform:uppercase;letter-spacing:.04em;color:var(--muted);margin-right:.4rem}
.about-this{display:flex;flex-wrap:wrap;gap:.25rem .75rem;align-items:center}.about-this select{width:auto}.about-this .help{min-height:0}
.change{display:block;font-size:.85rem;color:var(--muted)}
.checkpoints li>span{min-width:0}
.compare{display:flex;flex-wrap:wrap;gap:.4rem;align-items:center;margin-top:.6rem}.compare select{width:auto;max-width:14rem}
.comparison:empty,.placeholders:empty{display:none}
.comparison,.placeholders{margin-top:.5rem;padding:.6rem .75rem;border:1px solid var(--line);border-radius:8px;background:#f7f6fb}
.comparison h3,.placeholders h3{font-size:.95rem;margin:0 0 .25rem}.comparison ul,.placeholders ul{margin:0;padding-left:1.2rem}
@media (max-width:56rem){.builder{grid-template-columns:1fr;grid-template-areas:"chat" "preview" "timeline"}.sliders{grid-template-columns:1fr}}
.help-dialog{border:1px solid var(--line);border-radius:10px;max-width:32rem;width:calc(100% - 2rem)}
.help-dialog form{display:grid;gap:.5rem}.help-dialog .check{display:flex;gap:.5rem;align-items:center}
.help-dialog .actions{display:flex;gap:.5rem}
.support-footer{padding:0 1rem 1rem;color:var(--muted);font-size:.9rem}
`;
