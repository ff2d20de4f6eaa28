/** The shapes the page receives, from the server modules that define them (types only). */
export type { GraphEdge, GraphNode, MachineGraph } from '../../../../machines/graph/model.js';
export type { ActorRow, LoggedEvent } from '../actor-row.js';
