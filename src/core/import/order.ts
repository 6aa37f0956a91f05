/** A record's id and the ids it depends on. */
export interface Dependent {
  readonly id: string;
  readonly dependsOn?: readonly string[];
}

/** Import order of one call's work records, by index. */
export interface ImportOrder {
  /** Each layer depends only on earlier layers (and on stored items), so its records may run together. */
  readonly layers: readonly (readonly number[])[];
  /** Records caught in a dependency cycle inside the call: none of them can be created first. */
  readonly cyclic: readonly number[];
}

/**
 * The order in which to import work records so that an item comes after the items of the same
 * call it depends on (dependencies must exist when an item is created). Ids not in the call are
 * dependencies on stored items and impose no order.
 */
export const importOrder = (records: readonly Dependent[]): ImportOrder => {
  const indexesOf = new Map<string, number[]>();
  records.forEach((record, index) => {
    indexesOf.set(record.id, [...(indexesOf.get(record.id) ?? []), index]);
  });
  const waitingOn = records.map(
    (record, index) =>
      new Set(
        [...new Set(record.dependsOn ?? [])]
          .flatMap((id) => indexesOf.get(id) ?? [])
          .filter((other) => other !== index),
      ),
  );
  const layers: number[][] = [];
  const placed = new Set<number>();
  for (;;) {
    const layer = records
      .map((_, index) => index)
      .filter(
        (index) => !placed.has(index) && [...(waitingOn[index] ?? [])].every((other) => placed.has(other)),
      );
    if (layer.length === 0) break;
    layers.push(layer);
    for (const index of layer) placed.add(index);
  }
  return { layers, cyclic: records.map((_, index) => index).filter((index) => !placed.has(index)) };
};
