/**
 * Kubernetes resource quantities as jobs-api reads them: memory in Gi and cpu in cores, both rounded to three
 * decimals like jobs-api does (`1G` → 0.931, `500m` → 0.5). The planner compares with them and the simulator
 * stores them, so both agree on what a quantity means.
 */

const MEMORY_UNITS: Readonly<Record<string, number>> = {
  '': 1,
  k: 1e3,
  K: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
};

const round3 = (value: number): number => Math.round(value * 1000) / 1000;

/** Memory in Gi (`256Mi` → 0.25); undefined when the text is not a quantity. */
export function memoryGi(text: string): number | undefined {
  const match = /^([0-9]*\.?[0-9]+)\s*([KMGT]i?|k)?$/.exec(text.trim());
  if (!match) return undefined;
  return round3((Number(match[1]) * (MEMORY_UNITS[match[2] ?? ''] ?? 1)) / 2 ** 30);
}

/** CPU in cores (`500m` → 0.5, `1.0` → 1); undefined when the text is not a quantity. */
export function cpuCores(text: string): number | undefined {
  const match = /^([0-9]*\.?[0-9]+)(m?)$/.exec(text.trim());
  if (!match) return undefined;
  return round3(Number(match[1]) / (match[2] === 'm' ? 1000 : 1));
}
