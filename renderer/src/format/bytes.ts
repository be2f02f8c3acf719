const units = ['B', 'KB', 'MB', 'GB', 'TB'];

/** `0 B`, `812 B`, `1.5 KB`, `23.4 MB`, `1.25 GB` (binary multiples, familiar labels). */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes <= 0) return '0 B';
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  if (unit === 0) return `${Math.round(value)} B`;
  const digits = value >= 100 ? 0 : unit >= 3 ? 2 : 1;
  return `${value.toFixed(digits)} ${units[unit]}`;
}
