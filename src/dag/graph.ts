/**
 * A directed graph over string ids, with no domain knowledge (Terraform's `internal/dag`). An edge `from → to`
 * means "from comes before to". Vertices keep their insertion order, which every algorithm here uses to break
 * ties, so equal inputs always give equal outputs.
 *
 * Internally vertices are dense indices (0…n-1 in insertion order) so the algorithms can use typed arrays;
 * `indexOf`, `idAt`, `successorIndices` and `predecessorIndices` expose that view to them.
 */
const SET_THRESHOLD = 16;

export class Graph {
  readonly #index = new Map<string, number>();
  readonly #ids: string[] = [];
  readonly #successors: number[][] = [];
  readonly #predecessors: number[][] = [];
  /**
   * Successor sets for duplicate checks, only for vertices with many successors: most vertices have a handful,
   * where scanning the array is cheaper than a Set per vertex (which dominated memory on 100 000 vertices).
   */
  readonly #edgeSets: (Set<number> | undefined)[] = [];
  #edgeCount = 0;

  /** Adds a vertex; adding an existing one is a no-op (its position stays the first insertion). */
  addVertex(id: string): this {
    if (!this.#index.has(id)) {
      this.#index.set(id, this.#ids.length);
      this.#ids.push(id);
      this.#successors.push([]);
      this.#predecessors.push([]);
      this.#edgeSets.push(undefined);
    }
    return this;
  }

  /**
   * Adds the edge `from → to` (from must come before to). Vertices not yet present are added, `from` first.
   * Adding an existing edge is a no-op, so edge counts never include duplicates.
   */
  addEdge(from: string, to: string): this {
    this.addVertex(from).addVertex(to);
    this.addEdgeByIndex(this.#index.get(from) as number, this.#index.get(to) as number);
    return this;
  }

  /** `addEdge` by insertion indices (both must exist): for callers that keep their own index maps. */
  addEdgeByIndex(from: number, to: number): boolean {
    if (from < 0 || to < 0 || from >= this.#ids.length || to >= this.#ids.length) {
      throw new RangeError(`no vertex at index ${from < 0 || from >= this.#ids.length ? from : to}`);
    }
    if (this.#hasEdgeIndex(from, to)) return false;
    const successors = this.#successors[from] as number[];
    successors.push(to);
    const set = this.#edgeSets[from];
    if (set) set.add(to);
    else if (successors.length > SET_THRESHOLD) this.#edgeSets[from] = new Set(successors);
    (this.#predecessors[to] as number[]).push(from);
    this.#edgeCount++;
    return true;
  }

  hasVertex(id: string): boolean {
    return this.#index.has(id);
  }

  hasEdge(from: string, to: string): boolean {
    const f = this.#index.get(from);
    const t = this.#index.get(to);
    return f !== undefined && t !== undefined && this.#hasEdgeIndex(f, t);
  }

  #hasEdgeIndex(f: number, t: number): boolean {
    const set = this.#edgeSets[f];
    return set ? set.has(t) : (this.#successors[f] as number[]).includes(t);
  }

  /** All vertices in insertion order. */
  vertices(): readonly string[] {
    return this.#ids;
  }

  get size(): number {
    return this.#ids.length;
  }

  get edgeCount(): number {
    return this.#edgeCount;
  }

  /** Direct successors of `id`, in the order their edges were added; [] for an unknown vertex. */
  successors(id: string): readonly string[] {
    const i = this.#index.get(id);
    return i === undefined ? [] : (this.#successors[i] as number[]).map((j) => this.#ids[j] as string);
  }

  /** Direct predecessors of `id`, in the order their edges were added; [] for an unknown vertex. */
  predecessors(id: string): readonly string[] {
    const i = this.#index.get(id);
    return i === undefined ? [] : (this.#predecessors[i] as number[]).map((j) => this.#ids[j] as string);
  }

  /** Insertion index of `id`, or -1. */
  indexOf(id: string): number {
    return this.#index.get(id) ?? -1;
  }

  idAt(index: number): string {
    const id = this.#ids[index];
    if (id === undefined) throw new RangeError(`no vertex at index ${index}`);
    return id;
  }

  successorIndices(index: number): readonly number[] {
    return this.#successors[index] ?? [];
  }

  predecessorIndices(index: number): readonly number[] {
    return this.#predecessors[index] ?? [];
  }

  /**
   * Canonical text for golden tests (Terraform's `Graph.String()`): one line per vertex in insertion order,
   * its successors indented below it in edge order.
   */
  toString(): string {
    const lines: string[] = [];
    for (let i = 0; i < this.#ids.length; i++) {
      lines.push(this.#ids[i] as string);
      for (const j of this.#successors[i] as number[]) lines.push(`  ${this.#ids[j] as string}`);
    }
    return lines.join('\n');
  }
}
