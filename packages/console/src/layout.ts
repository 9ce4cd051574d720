/**
 * The state machine drawn as a graph: ELK (elkjs, the Eclipse Layout Kernel's layered algorithm) places the states
 * of the one ASL definition, with each Map's item processor and each Parallel branch laid out inside its parent.
 * Runs on the server, so the browser only draws the boxes and lines it is given.
 */

import { createRequire } from "node:module";
import type { StateDefinition, StateMachineDefinition } from "@tunelake/core/workflow/state-names";
import type { ElkExtendedEdge, ELK as ElkInstance, ElkNode } from "elkjs/lib/elk-api.js";

/** The bundled build (layout in this thread, no worker); a CommonJS module whose export is the constructor. */
const ELK = createRequire(import.meta.url)("elkjs/lib/elk.bundled.js") as new () => ElkInstance;

export interface GraphNode {
  /** The state's name (unique across the definition); a Parallel branch's box is `<parent>#<index>`. */
  id: string;
  label: string;
  type: string;
  x: number;
  y: number;
  width: number;
  height: number;
  /** The enclosing Map or Parallel state, for the states of its branches. */
  parent?: string;
  compound: boolean;
}

export interface GraphEdge {
  id: string;
  from: string;
  to: string;
  kind: "next" | "choice" | "default" | "catch";
  /** Absolute polyline points. */
  points: { x: number; y: number }[];
}

export interface GraphLayout {
  width: number;
  height: number;
  nodes: GraphNode[];
  edges: GraphEdge[];
}

interface Machine {
  StartAt?: string;
  States?: Record<string, StateDefinition>;
}

const NODE_HEIGHT = 36;
const nodeWidth = (name: string) => Math.max(96, 16 + name.length * 7.5);

function transitions(state: StateDefinition): { to: string; kind: GraphEdge["kind"] }[] {
  const out: { to: string; kind: GraphEdge["kind"] }[] = [];
  if (typeof state.Next === "string") out.push({ to: state.Next, kind: "next" });
  for (const choice of (state.Choices as { Next?: string }[] | undefined) ?? []) {
    if (choice.Next) out.push({ to: choice.Next, kind: "choice" });
  }
  if (typeof state.Default === "string") out.push({ to: state.Default, kind: "default" });
  for (const c of (state.Catch as { Next?: string }[] | undefined) ?? []) {
    if (c.Next) out.push({ to: c.Next, kind: "catch" });
  }
  // One line per target: a Choice with two rules to the same state is one arrow.
  return out.filter((edge, i) => out.findIndex((e) => e.to === edge.to) === i);
}

/** The ELK graph of one machine level: its states, and its Map/Parallel states as boxes holding their branches. */
function elkChildren(
  machine: Machine,
  kinds: Map<string, GraphEdge["kind"]>,
): { children: ElkNode[]; edges: ElkExtendedEdge[] } {
  const children: ElkNode[] = [];
  const edges: ElkExtendedEdge[] = [];
  for (const [name, state] of Object.entries(machine.States ?? {})) {
    const processor = (state.ItemProcessor ?? state.Iterator) as Machine | undefined;
    const branches = (state.Branches as Machine[] | undefined) ?? (processor ? [processor] : []);
    const node: ElkNode = { id: name, labels: [{ text: name }] };
    if (branches.length === 0) {
      node.width = nodeWidth(name);
      node.height = NODE_HEIGHT;
    } else {
      node.layoutOptions = { "elk.padding": "[top=30,left=12,bottom=12,right=12]", "elk.direction": "DOWN" };
      if (branches.length === 1) {
        const inner = elkChildren(branches[0] as Machine, kinds);
        node.children = inner.children;
        node.edges = inner.edges;
      } else {
        node.children = branches.map((branch, index) => {
          const inner = elkChildren(branch, kinds);
          return {
            id: `${name}#${index}`,
            labels: [{ text: `branch ${index + 1}` }],
            layoutOptions: { "elk.padding": "[top=24,left=8,bottom=8,right=8]", "elk.direction": "DOWN" },
            ...inner,
          };
        });
      }
    }
    children.push(node);
    for (const { to, kind } of transitions(state)) {
      const id = `${name}->${to}`;
      kinds.set(id, kind);
      edges.push({ id, sources: [name], targets: [to] });
    }
  }
  return { children, edges };
}

/** Lays out the definition top to bottom, as the Step Functions console draws it. */
export async function layoutDefinition(definition: StateMachineDefinition): Promise<GraphLayout> {
  const elk = new ELK();
  const kinds = new Map<string, GraphEdge["kind"]>();
  const root: ElkNode = {
    id: "root",
    layoutOptions: {
      "elk.algorithm": "layered",
      "elk.direction": "DOWN",
      "elk.layered.spacing.nodeNodeBetweenLayers": "36",
      "elk.spacing.nodeNode": "24",
      "elk.edgeRouting": "ORTHOGONAL",
      "elk.padding": "[top=16,left=16,bottom=16,right=16]",
    },
    ...elkChildren(definition as Machine, kinds),
  };
  const laid = await elk.layout(root);

  const nodes: GraphNode[] = [];
  const edges: GraphEdge[] = [];
  const visit = (node: ElkNode, offsetX: number, offsetY: number, parent: string | undefined) => {
    for (const child of node.children ?? []) {
      const x = offsetX + (child.x ?? 0);
      const y = offsetY + (child.y ?? 0);
      const isBranchBox = child.id.includes("#");
      nodes.push({
        id: child.id,
        label: child.labels?.[0]?.text ?? child.id,
        type: isBranchBox ? "Branch" : "",
        x,
        y,
        width: child.width ?? 0,
        height: child.height ?? 0,
        ...(parent ? { parent } : {}),
        compound: (child.children?.length ?? 0) > 0,
      });
      visit(child, x, y, isBranchBox ? parent : child.id);
    }
    for (const edge of node.edges ?? []) {
      // Edge coordinates are relative to the edge's container (the node holding it).
      const points = (edge.sections ?? []).flatMap((s) => [s.startPoint, ...(s.bendPoints ?? []), s.endPoint]);
      edges.push({
        id: edge.id,
        from: edge.sources[0] as string,
        to: edge.targets[0] as string,
        kind: kinds.get(edge.id) ?? "next",
        points: points.map((p) => ({ x: offsetX + p.x, y: offsetY + p.y })),
      });
    }
  };
  visit(laid, 0, 0, undefined);
  const types = new Map<string, string>();
  const collect = (machine: Machine) => {
    for (const [name, state] of Object.entries(machine.States ?? {})) {
      types.set(name, state.Type);
      for (const b of (state.Branches as Machine[] | undefined) ?? []) collect(b);
      const p = (state.ItemProcessor ?? state.Iterator) as Machine | undefined;
      if (p) collect(p);
    }
  };
  collect(definition as Machine);
  for (const node of nodes) if (!node.type) node.type = types.get(node.id) ?? "";
  return { width: laid.width ?? 0, height: laid.height ?? 0, nodes, edges };
}
