import type { Database } from 'better-sqlite3';

/** Settings are stored one JSON value per key so new settings need no migration. */
export function readSettings(db: Database): Record<string, unknown> {
  const rows = db.prepare('SELECT key, value FROM settings').all() as { key: string; value: string }[];
  const out: Record<string, unknown> = {};
  for (const row of rows) {
    try {
      out[row.key] = JSON.parse(row.value);
    } catch {
      // A value we can't read falls back to its default rather than breaking start-up.
    }
  }
  return out;
}

export function writeSettings(db: Database, values: Record<string, unknown>): void {
  const upsert = db.prepare(
    'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
  );
  db.transaction(() => {
    for (const [key, value] of Object.entries(values)) upsert.run(key, JSON.stringify(value));
  })();
}
