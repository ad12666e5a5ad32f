// DuckDB's side of `cohort bench` (src/bench/sql_side.cc; its SQL: src/bench/duckdb_sql.h): a
// child process the bench runs as  node bench/duckdb_side.mjs PLAN.json
// PLAN.json, written by the bench: {"database": file, "setup": [{"name", "sql"}],
// "reports": [{"view", "sql"}], "repetitions": n, "budget_ms": ms}. It opens (creates) the
// database, runs the setup statements in order (the load from CSV and the layout), then each
// report up to `repetitions` times, stopping early once that report's runs took `budget_ms`
// (the rule the bench applies to sqlite3 and psql). It prints one JSON document on stdout:
// {"version", "threads", "setup": {name: seconds}, "reports": {view: {"times_ms": [...],
// "rows": [[text, ...], ...]}}}; rows are those of the first run, every value as text the way
// the bench compares answers (NULL "", numbers in JavaScript's shortest round-trip form).
// Exit code 1 and the error on stderr when a statement fails.
//
// DuckDB's known extensions are neither installed nor loaded on demand: the npm package's
// built-ins (read_csv is core) are all the bench may use, and nothing is downloaded at run time.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

import { DuckDBInstance } from '@duckdb/node-api';

function Text(value) {
  if (value === null || value === undefined) return '';
  if (typeof value === 'boolean') return value ? '1' : '0';
  return String(value);  // bigint, number, string; other types are cast to these in the SQL
}

async function Main() {
  const plan = JSON.parse(readFileSync(process.argv[2], 'utf8'));
  const instance = await DuckDBInstance.create(plan.database, {
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
  });
  const connection = await instance.connect();
  const out = { setup: {}, reports: {} };
  const about = (await connection.runAndReadAll(
    "SELECT version(), current_setting('threads')")).getRows()[0];
  out.version = Text(about[0]);
  out.threads = Number(about[1]);
  for (const step of plan.setup) {
    const start = performance.now();
    await connection.run(step.sql);
    out.setup[step.name] = (performance.now() - start) / 1000;
  }
  for (const report of plan.reports) {
    const times = [];
    let rows = null;
    let spent = 0;
    while (times.length < plan.repetitions && (times.length === 0 || spent < plan.budget_ms)) {
      const start = performance.now();
      const reader = await connection.runAndReadAll(report.sql);
      const result = reader.getRows();
      const ms = performance.now() - start;
      times.push(ms);
      spent += ms;
      if (rows === null) rows = result.map((row) => row.map(Text));
    }
    out.reports[report.view] = { times_ms: times, rows };
  }
  connection.closeSync();
  instance.closeSync();
  process.stdout.write(JSON.stringify(out) + '\n');
}

Main().catch((error) => {
  process.stderr.write(`duckdb_side: ${error.message}\n`);
  process.exit(1);
});
