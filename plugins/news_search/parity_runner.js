/*
 * Runs queries in lunr.js 2.3.9 (node) on an index built by plugins/news_search, for the parity checks.
 *
 *   node parity_runner.js whole INDEX.json QUERIES.json
 *   node parity_runner.js sharded INDEX_DIR QUERIES.json
 *
 * QUERIES.json is a list of query strings. Prints one JSON list: per query {query, error, results,
 * files}, results being [{ref, score, matchData}] in rank order and files the index files a sharded
 * search read (a fresh engine per query, as a reader's first search).
 */
"use strict";

const fs = require("fs");
const path = require("path");

const root = path.resolve(__dirname, "..", "..");
const lunr = require(path.join(root, "node_modules", "lunr", "lunr.js"));
const engine = require(path.join(root, "theme", "static", "js", "search.js"));

function errorOf(error) {
  if (error && error.name === "QueryParseError") {
    return { name: error.name, message: error.message, start: error.start, end: error.end };
  }
  throw error;
}

function plain(results) {
  return results.map((r) => ({ ref: r.ref, score: r.score, matchData: r.matchData.metadata }));
}

async function main() {
  const [mode, location, queriesFile] = process.argv.slice(2);
  const queries = JSON.parse(fs.readFileSync(queriesFile, "utf8"));
  const out = [];
  if (mode === "whole") {
    const index = lunr.Index.load(JSON.parse(fs.readFileSync(location, "utf8")));
    for (const query of queries) {
      try {
        out.push({ query, error: null, results: plain(index.search(query)), files: [] });
      } catch (error) {
        out.push({ query, error: errorOf(error), results: null, files: [] });
      }
    }
  } else if (mode === "sharded") {
    const manifest = JSON.parse(fs.readFileSync(path.join(location, "manifest.json"), "utf8"));
    for (const query of queries) {
      const files = ["manifest.json"];
      const load = (name) => {
        files.push(name);
        return Promise.resolve(JSON.parse(fs.readFileSync(path.join(location, name), "utf8")));
      };
      const sharded = new engine.ShardedIndex(lunr, manifest, load);
      try {
        out.push({ query, error: null, results: plain(await sharded.search(query)), files });
      } catch (error) {
        out.push({ query, error: errorOf(error), results: null, files });
      }
    }
  } else {
    throw new Error("mode must be 'whole' or 'sharded', not " + mode);
  }
  process.stdout.write(JSON.stringify(out));
}

main().catch((error) => {
  process.stderr.write(String(error && error.stack ? error.stack : error) + "\n");
  process.exit(1);
});
