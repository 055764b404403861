/**
 * A laid-out statechart as a standalone SVG document (its style inside, no external font or
 * script), the same text in docs/statechart.svg and in the demo page. Every state is a
 * `g.state[data-state=<path>]` (`.leaf` or `.compound`; "any state" is a `g.pseudo`), every arrow a `g.arrow[data-from][data-to]` whose label lines are
 * `tspan[data-transition=<transitionKey>]`: what a page marks `.active` / `.taken` to highlight
 * the current state and the last transitions (the style for those classes is included).
 */
import { BOX, type PlacedArrow, type PlacedBox, type StatechartLayout, TEXT } from './layout.js';

const FONT = `ui-monospace, SFMono-Regular, Menlo, Consolas, 'DejaVu Sans Mono', 'Liberation Mono', monospace`;

const STYLE = `
.statechart { font-family: ${FONT}; }
.statechart .arrow path { fill: none; stroke: #6b778a; stroke-width: 1.2; marker-end: url(#statechart-arrowhead); }
.statechart .arrow rect { fill: #fff; fill-opacity: 0.85; }
.statechart .arrow text { font-size: ${TEXT.labelSize}px; fill: #3b4656; }
.statechart .state rect, .statechart .pseudo rect { fill: #fafbfd; stroke: #8a97a8; stroke-width: 1.5; }
.statechart .state.compound > rect { fill: #eef2f8; stroke: #5b6b80; }
.statechart .state text, .statechart .pseudo text { font-size: ${TEXT.titleSize}px; fill: #1c2733; }
.statechart .state.compound > text { font-weight: 700; }
.statechart .pseudo.any rect { fill: #fff; stroke-dasharray: 5 4; }
.statechart .pseudo.any text { font-style: italic; fill: #5a6675; }
.statechart .initial { fill: #1c2733; }
.statechart .state.active > rect { fill: #dff5e3; stroke: #1a7f37; stroke-width: 2.5; }
.statechart .state.compound.active > rect { fill: #eef8f0; }
.statechart .arrow.taken path { stroke: #d4570b; stroke-width: 2.5; marker-end: url(#statechart-arrowhead-taken); }
.statechart .arrow tspan.taken { fill: #b34400; font-weight: 700; }
`;

const number = (value: number) => String(Math.round(value * 10) / 10);
const xml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const marker = (id: string, color: string) =>
  `<marker id="${id}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" markerUnits="userSpaceOnUse" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="${color}"/></marker>`;

function boxSvg({ box, x, y, width, height, compound }: PlacedBox): string {
  if (box.kind === 'initial') {
    const r = width / 2;
    return `<circle class="initial" data-initial="${xml(box.id)}" cx="${number(x + r)}" cy="${number(y + r)}" r="${number(r)}"/>`;
  }
  const rect = `<rect x="${number(x)}" y="${number(y)}" width="${number(width)}" height="${number(height)}" rx="${compound ? 10 : 8}"/>`;
  const title = compound
    ? `<text x="${number(x + BOX.inset)}" y="${number(y + BOX.titleBand - 9)}">${xml(box.title)}</text>`
    : `<text x="${number(x + width / 2)}" y="${number(y + height / 2)}" text-anchor="middle" dominant-baseline="central">${xml(box.title)}</text>`;
  if (box.kind === 'any') return `<g class="pseudo any" data-pseudo="${xml(box.id)}">${rect}${title}</g>`;
  return `<g class="state ${compound ? 'compound' : 'leaf'}" data-state="${xml(box.id)}">${rect}${title}</g>`;
}

function arrowSvg({ arrow, points, label }: PlacedArrow): string {
  const d = points
    .map((point, index) => `${index ? 'L' : 'M'}${number(point.x)},${number(point.y)}`)
    .join(' ');
  const parts = [`<path d="${d}"/>`];
  if (label && arrow.lines.length) {
    const lineHeight = TEXT.labelSize * TEXT.lineHeight;
    parts.push(
      `<rect x="${number(label.x)}" y="${number(label.y)}" width="${number(label.width)}" height="${number(label.height)}"/>`,
    );
    const lines = arrow.lines.map(
      (line, index) =>
        `<tspan x="${number(label.x + 2)}" y="${number(label.y + 1 + lineHeight * index + TEXT.labelSize)}" data-transition="${xml(line.key)}">${xml(line.text)}</tspan>`,
    );
    parts.push(`<text>${lines.join('')}</text>`);
  }
  return `<g class="arrow" data-arrow="${arrow.id}" data-from="${xml(arrow.from)}" data-to="${xml(arrow.to)}">${parts.join('')}</g>`;
}

/** The SVG document of `layout`; `title` is its accessible name. */
export function statechartSvg(layout: StatechartLayout, title: string): string {
  const width = number(layout.width);
  const height = number(layout.height);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" class="statechart" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-labelledby="statechart-title">`,
    `<title id="statechart-title">${xml(title)}</title>`,
    `<style>${STYLE}</style>`,
    `<defs>${marker('statechart-arrowhead', '#6b778a')}${marker('statechart-arrowhead-taken', '#d4570b')}</defs>`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    ...layout.boxes.map(boxSvg),
    ...layout.arrows.map(arrowSvg),
    '</svg>',
    '',
  ].join('\n');
}
