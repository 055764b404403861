/**
 * The drawing of `identityPoolMachine` (src/statechart): every state and every transition is in
 * it, and ELK's placement is readable — nested boxes inside their parents, no label over another
 * label or over a state, every arrow from its source's edge to its target's edge.
 */
import { identityPoolMachine } from '@identity-pool/core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type MachineNode,
  statechartGraph,
  transitionKey,
  transitionsOf,
  transitionText,
} from '../src/statechart/graph.js';
import {
  BOX,
  layoutStatechart,
  type PlacedBox,
  type StatechartLayout,
  TEXT,
  textWidth,
} from '../src/statechart/layout.js';

const machine = identityPoolMachine as unknown as { root: MachineNode };
const allStates = (node: MachineNode): MachineNode[] => [
  node,
  ...Object.values(node.states).flatMap(allStates),
];
const targeted = allStates(machine.root).flatMap((node) =>
  transitionsOf(node).filter((transition) => transition.target?.length),
);

interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}
const overlap = (a: Rect, b: Rect) =>
  a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
const inside = (inner: Rect, outer: Rect) =>
  inner.x >= outer.x &&
  inner.y >= outer.y &&
  inner.x + inner.width <= outer.x + outer.width &&
  inner.y + inner.height <= outer.y + outer.height;
/** Whether `point` lies on the outline of `rect` (ELK ends arrows on a box's border). */
const onBorder = (point: { x: number; y: number }, rect: Rect) => {
  const near = (a: number, b: number) => Math.abs(a - b) < 0.5;
  const withinX = point.x >= rect.x - 0.5 && point.x <= rect.x + rect.width + 0.5;
  const withinY = point.y >= rect.y - 0.5 && point.y <= rect.y + rect.height + 0.5;
  return (
    (withinX && (near(point.y, rect.y) || near(point.y, rect.y + rect.height))) ||
    (withinY && (near(point.x, rect.x) || near(point.x, rect.x + rect.width)))
  );
};
const parentId = (id: string) => id.slice(0, Math.max(0, id.lastIndexOf('.'))).replace(/^\(root\)$/, '');

describe('the statechart graph of identityPoolMachine', () => {
  const graph = statechartGraph(machine);

  it('has a box per state, nested as the states are', () => {
    const ids = (boxes: typeof graph.boxes): string[] =>
      boxes.flatMap((box) => (box.kind === 'state' ? [box.id, ...ids(box.children)] : []));
    const states = allStates(machine.root)
      .slice(1)
      .map((node) => node.path.join('.'));
    expect(ids(graph.boxes).sort()).toEqual(states.sort());
    expect(states).toContain('authenticated.loginRequired');
    const authenticated = graph.boxes.find((box) => box.id === 'authenticated');
    expect(authenticated?.children.map((box) => box.id)).toContain('authenticated.credentialed');
  });

  it('labels every transition once, on the arrow from its source to its target', () => {
    const lines = graph.arrows.flatMap((arrow) => arrow.lines.map((line) => ({ ...line, arrow })));
    expect(new Set(lines.map((line) => line.key)).size).toBe(targeted.length);
    expect(lines).toHaveLength(targeted.length);
    for (const transition of targeted) {
      const line = lines.find((candidate) => candidate.key === transitionKey(transition))!;
      expect(line.text).toBe(transitionText(transition));
      const source = transition.source.path.join('.') || '(any state)';
      expect(line.arrow.from).toBe(source);
      expect(line.arrow.to).toBe(transition.target![0]!.path.join('.'));
    }
    // Root transitions (accepted in every state) leave "any state".
    const logout = lines.find((line) => line.text === 'LOGOUT')!;
    expect([logout.arrow.from, logout.arrow.to]).toEqual(['(any state)', 'unauthenticated']);
  });

  it('names a transition by its source and place, as an inspector will report it', () => {
    const keys = targeted.map(transitionKey);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys).toContain('authenticated.credentialed#0');
  });
});

describe('the layout', () => {
  let layout: StatechartLayout;
  beforeAll(async () => {
    layout = await layoutStatechart(statechartGraph(machine));
  });
  const byId = () => new Map<string, PlacedBox>(layout.boxes.map((placed) => [placed.box.id, placed]));

  it("puts every box inside its parent state, below the parent's title, and inside the drawing", () => {
    const boxes = byId();
    const drawing = { x: 0, y: 0, width: layout.width, height: layout.height };
    for (const placed of layout.boxes) {
      const parent = boxes.get(parentId(placed.box.id));
      expect(inside(placed, parent ?? drawing), `${placed.box.id} inside its parent`).toBe(true);
      if (parent)
        expect(placed.y, `${placed.box.id} below its parent's title`).toBeGreaterThan(
          parent.y + BOX.titleBand,
        );
    }
  });

  it("overlaps no label with another label, a state that is not a compound, or a compound state's title", () => {
    const labels = layout.arrows.flatMap((placed) => (placed.label ? [{ ...placed.label, placed }] : []));
    expect(labels).toHaveLength(layout.arrows.filter((placed) => placed.arrow.lines.length).length);
    const titles = layout.boxes
      .filter((placed) => placed.compound)
      .map((placed) => ({
        box: placed.box,
        x: placed.x,
        y: placed.y,
        width: BOX.inset + textWidth(placed.box.title, TEXT.titleSize),
        height: BOX.titleBand,
      }));
    const simple = [...layout.boxes.filter((placed) => !placed.compound), ...titles];
    for (const [index, label] of labels.entries()) {
      for (const other of labels.slice(index + 1)) {
        expect(overlap(label, other), `${label.placed.arrow.id} over ${other.placed.arrow.id}`).toBe(false);
      }
      for (const box of simple)
        expect(overlap(label, box), `${label.placed.arrow.id} over ${box.box.id}`).toBe(false);
    }
  });

  it('draws every arrow from the border of its source to the border of its target', () => {
    const boxes = byId();
    for (const { arrow, points } of layout.arrows) {
      const first = points[0]!;
      const last = points.at(-1)!;
      expect(
        onBorder(first, boxes.get(arrow.from)!),
        `${arrow.from} → ${arrow.to} starts on its source`,
      ).toBe(true);
      expect(onBorder(last, boxes.get(arrow.to)!), `${arrow.from} → ${arrow.to} ends on its target`).toBe(
        true,
      );
    }
  });

  it('is the same every time', async () => {
    expect(await layoutStatechart(statechartGraph(machine))).toEqual(layout);
  });
});
