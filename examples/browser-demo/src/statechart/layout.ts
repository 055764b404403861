/**
 * Places a statechart graph with ELK's layered algorithm (elkjs): boxes nested as the states are,
 * arrows routed orthogonally across the nesting, and their labels placed by ELK so that none
 * overlaps a box or another label. Text is measured with fixed metrics of a monospace font (see
 * `TEXT`), not by a browser, so Node and every browser compute the same drawing.
 */
import ElkModule from 'elkjs/lib/elk.bundled.js';
import type { ElkExtendedEdge, ElkNode, ElkPoint } from 'elkjs/lib/elk-api.js';
import type { Arrow, StateBox, StatechartGraph } from './graph.js';

/** The drawing's text metrics: monospace, so a string's width is its length times `charWidth`. */
export const TEXT = {
  titleSize: 13,
  labelSize: 11,
  /** Monospace advance widths are 0.6 em in DejaVu Sans Mono, Menlo and Courier; Consolas is narrower. */
  charWidth: 0.6,
  lineHeight: 1.3,
} as const;

export const BOX = { height: 32, padX: 12, minWidth: 64, titleBand: 28, inset: 12, initial: 14 } as const;

export interface PlacedBox {
  readonly box: StateBox;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly compound: boolean;
}
export interface PlacedLabel {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}
export interface PlacedArrow {
  readonly arrow: Arrow;
  /** The route: start, bends, end. */
  readonly points: readonly ElkPoint[];
  readonly label: PlacedLabel | undefined;
}
export interface StatechartLayout {
  readonly width: number;
  readonly height: number;
  /** Outer boxes before the boxes nested in them. */
  readonly boxes: readonly PlacedBox[];
  readonly arrows: readonly PlacedArrow[];
}

export const textWidth = (text: string, size: number) => Math.ceil(text.length * size * TEXT.charWidth);

const labelSize = (arrow: Arrow) => ({
  width: Math.max(0, ...arrow.lines.map((line) => textWidth(line.text, TEXT.labelSize))) + 4,
  height: Math.ceil(arrow.lines.length * TEXT.labelSize * TEXT.lineHeight) + 2,
});

function elkNode(box: StateBox): ElkNode {
  if (box.kind === 'initial') return { id: box.id, width: BOX.initial, height: BOX.initial };
  const titleWidth = textWidth(box.title, TEXT.titleSize) + 2 * BOX.padX;
  if (box.children.length === 0) {
    return { id: box.id, width: Math.max(BOX.minWidth, titleWidth), height: BOX.height };
  }
  const { inset, titleBand } = BOX;
  return {
    id: box.id,
    children: box.children.map(elkNode),
    layoutOptions: {
      'elk.padding': `[top=${titleBand + inset},left=${inset},bottom=${inset},right=${inset}]`,
      'elk.nodeSize.constraints': 'MINIMUM_SIZE',
      'elk.nodeSize.minimum': `(${titleWidth + 2 * inset}, ${titleBand + BOX.height})`,
    },
  };
}

function elkEdge(arrow: Arrow): ElkExtendedEdge {
  const edge: ElkExtendedEdge = { id: arrow.id, sources: [arrow.from], targets: [arrow.to] };
  if (arrow.lines.length) {
    // Inline: the arrow runs through its label, so a reader sees which arrow a label belongs to.
    const layoutOptions = { 'elk.edgeLabels.inline': 'true' };
    edge.labels = [{ id: `${arrow.id}.label`, text: arrow.id, layoutOptions, ...labelSize(arrow) }];
  }
  return edge;
}

const LAYOUT_OPTIONS = {
  'elk.algorithm': 'layered',
  'elk.direction': 'DOWN',
  'elk.hierarchyHandling': 'INCLUDE_CHILDREN',
  'elk.edgeRouting': 'ORTHOGONAL',
  'elk.edgeLabels.placement': 'CENTER',
  'elk.spacing.nodeNode': '28',
  'elk.spacing.edgeNode': '16',
  'elk.spacing.edgeEdge': '12',
  'elk.spacing.edgeLabel': '4',
  'elk.spacing.labelLabel': '6',
  'elk.layered.spacing.nodeNodeBetweenLayers': '36',
  'elk.layered.spacing.edgeNodeBetweenLayers': '16',
  'elk.layered.spacing.edgeEdgeBetweenLayers': '10',
  'elk.layered.nodePlacement.strategy': 'NETWORK_SIMPLEX',
  'elk.layered.cycleBreaking.strategy': 'MODEL_ORDER',
  'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
  'elk.padding': '[top=16,left=16,bottom=16,right=16]',
  // Every coordinate in the result relative to the drawing, whatever the nesting.
  'elk.json.shapeCoords': 'ROOT',
  'elk.json.edgeCoords': 'ROOT',
};

function placedBoxes(nodes: readonly ElkNode[], boxes: readonly StateBox[]): PlacedBox[] {
  return boxes.flatMap((box, index) => {
    const node = nodes[index]!;
    const compound = box.children.length > 0;
    const placed = { box, x: node.x!, y: node.y!, width: node.width!, height: node.height!, compound };
    return [placed, ...placedBoxes(node.children ?? [], box.children)];
  });
}

function allEdges(node: ElkNode): ElkExtendedEdge[] {
  return [...(node.edges ?? []), ...(node.children ?? []).flatMap(allEdges)];
}

function placedArrow(edge: ElkExtendedEdge, arrow: Arrow): PlacedArrow {
  const section = edge.sections?.[0];
  if (!section) throw new Error(`ELK routed no section for ${arrow.from} → ${arrow.to}`);
  const points = [section.startPoint, ...(section.bendPoints ?? []), section.endPoint];
  const label = edge.labels?.[0];
  return {
    arrow,
    points,
    label: label && { x: label.x!, y: label.y!, width: label.width!, height: label.height! },
  };
}

/** Lays `graph` out. Deterministic: the same graph gives the same coordinates. */
export async function layoutStatechart(graph: StatechartGraph): Promise<StatechartLayout> {
  const elk = new ElkModule.default();
  const input: ElkNode = {
    id: '(root)',
    layoutOptions: LAYOUT_OPTIONS,
    children: graph.boxes.map(elkNode),
    edges: graph.arrows.map(elkEdge),
  };
  const result = await elk.layout(input);
  const edges = new Map(allEdges(result).map((edge) => [edge.id, edge]));
  return {
    width: result.width!,
    height: result.height!,
    boxes: placedBoxes(result.children ?? [], graph.boxes),
    arrows: graph.arrows.map((arrow) => placedArrow(edges.get(arrow.id)!, arrow)),
  };
}
