/** The report page's only stylesheet (inline: the page loads nothing). */
export const REPORT_CSS = `
body { font-family: "DejaVu Sans", system-ui, sans-serif; margin: 2rem auto; max-width: 72rem; padding: 0 1rem; color: #1a1a1a; line-height: 1.4; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.3rem; border-bottom: 1px solid #ccc; margin-top: 2.5rem; } h3 { font-size: 1.05rem; }
.meta, .note, .empty { color: #555; font-size: 0.9rem; }
table { border-collapse: collapse; font-size: 0.85rem; margin: 0.5rem 0 1rem; }
th, td { border: 1px solid #ddd; padding: 0.2rem 0.5rem; text-align: left; vertical-align: top; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
th { background: #f3f3f3; }
figure { margin: 1rem 0 2rem; } figcaption { font-weight: bold; margin-bottom: 0.5rem; }
figure svg { max-width: 100%; height: auto; }
.ref { display: inline-block; background: #234; color: #fff; border-radius: 3px; padding: 0 0.4rem; margin-right: 0.4rem; font-size: 0.85rem; }
details > summary { cursor: pointer; font-weight: bold; margin: 0.6rem 0; }
.scroll { overflow-x: auto; }
`;
