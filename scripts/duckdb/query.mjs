// Runs one SQL statement in an in-memory DuckDB and prints {"columns":[{"name","type"}],"rows":[[...]]} as JSON.
// Used by the .NET tests to read the Parquet files DevInsights writes with a real, independent reader.
import { DuckDBInstance } from '@duckdb/node-api';

const sql = process.argv[2];
if (!sql) {
  console.error('usage: node query.mjs "<sql>"');
  process.exit(2);
}
const instance = await DuckDBInstance.create(':memory:');
const connection = await instance.connect();
const reader = await connection.runAndReadAll(sql);
const columns = reader.columnNames().map((name, i) => ({ name, type: reader.columnType(i).toString() }));
console.log(JSON.stringify({ columns, rows: reader.getRowsJson() }));
