/*
 * Search for the news archive, in the browser, with lunr.js 2.3.9 and no server.
 *
 * The index is split by term into shards (written by plugins/news_search). For a query, the engine
 * parses it with lunr's own parser and search pipeline, works out which terms it can match (wildcards
 * and fuzzy terms are expanded against the vocabulary, fetched only for them), fetches the shards that
 * hold those terms, merges them into one serialized lunr index and runs lunr.Index.search on it. Each
 * posting's score is computed here as lunr.Builder computes it (BM25 from the term frequency, the field's
 * length and the manifest's document count and field lengths): the answers are those of the whole index.
 *
 * Progressive enhancement: the header's search box is a plain GET form to /search/. Nothing is
 * downloaded until the box is focused or the search page opens. Results are built with createElement
 * and textContent only. No globals: in a browser this file runs itself; in node (the parity tests and
 * benchmarks) it exports the engine.
 */
(function (factory) {
  "use strict";
  if (typeof module === "object" && module.exports) {
    module.exports = factory();
  } else {
    factory().start(window, document);
  }
})(function () {
  "use strict";

  var STORE_FIELDS = ["url", "title", "date", "dateText", "source", "snippet"];
  var INDEX_FORMAT = 3; // plugins/news_search/shards.py FORMAT: what the manifest and shards hold

  // -- the engine ---------------------------------------------------------------------------------------

  // Index of the last element of the sorted `firsts` that is <= value (JavaScript string order,
  // the UTF-16 order the index is written in); 0 when value sorts before all.
  function lastAtOrBefore(firsts, value) {
    var lo = 0;
    var hi = firsts.length - 1;
    var found = 0;
    while (lo <= hi) {
      var mid = (lo + hi) >> 1;
      if (firsts[mid] <= value) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }

  function undelta(values) {
    var out = new Array(values.length);
    var running = 0;
    for (var i = 0; i < values.length; i++) {
      running += values[i];
      out[i] = running;
    }
    return out;
  }

  /*
   * One sharded index. `load(path)` returns a promise of the parsed JSON file at `path` (relative to
   * the manifest's folder); `lunr` is the lunr.js module.
   */
  function ShardedIndex(lunr, manifest, load) {
    if (manifest.format !== INDEX_FORMAT) {
      // e.g. a cached manifest from before the site was rebuilt
      var found = "the search index has format " + manifest.format;
      throw new Error(found + ", this page reads " + INDEX_FORMAT + ": reload the page");
    }
    this.lunr = lunr;
    this.manifest = manifest;
    this.load = load;
    this.shards = {};
    this.vocabulary = null;
    this.storeChunks = {};
    this.pipeline = lunr.Pipeline.load(manifest.pipeline);
    this.built = null;
    this.builtKey = null;
    // lunr.Builder's averageFieldLength: every document has every field
    this.averages = manifest.fieldLengths.map(function (sum) {
      return sum / manifest.documentCount;
    });
  }

  /*
   * lunr.Builder.createFieldVectors' score of one posting, with its operations in the same order (so the
   * same floating-point result): BM25 of the term's frequency in the field, times the field's boost,
   * rounded to 1/1000. `idf` is lunr.idf of the term.
   */
  ShardedIndex.prototype.score = function (idf, frequency, length, field) {
    var k1 = this.manifest.bm25[0];
    var b = this.manifest.bm25[1];
    var score = (idf * ((k1 + 1) * frequency)) / (k1 * (1 - b + b * (length / this.averages[field])) + frequency);
    score *= this.manifest.boosts[field];
    return Math.round(score * 1000) / 1000;
  };

  ShardedIndex.prototype.ref = function (number) {
    var refs = this.manifest.refs;
    return refs ? refs[number] : String(number);
  };

  // The parsed query, or throws lunr.QueryParseError as lunr.Index.search would.
  ShardedIndex.prototype.parse = function (queryString) {
    var query = new this.lunr.Query(this.manifest.fields);
    new this.lunr.QueryParser(queryString, query).parse();
    return query;
  };

  // What each clause needs: {shards: [numbers], needsVocabulary: [clauses with expansion]}.
  ShardedIndex.prototype.plan = function (query) {
    var firsts = this.manifest.shards;
    var shards = {};
    var expansions = [];
    for (var i = 0; i < query.clauses.length; i++) {
      var clause = query.clauses[i];
      var terms = clause.usePipeline
        ? this.pipeline.runString(clause.term, { fields: clause.fields })
        : [clause.term];
      for (var j = 0; j < terms.length; j++) {
        var term = terms[j];
        var star = term.indexOf("*");
        if ("editDistance" in clause || (star !== -1 && star !== term.length - 1)) {
          var expansion = { term: term };
          if ("editDistance" in clause) {
            expansion.editDistance = clause.editDistance;
          }
          expansions.push(expansion);
        } else if (star === term.length - 1) {
          var prefix = term.slice(0, -1);
          var k = lastAtOrBefore(firsts, prefix);
          shards[k] = true;
          for (k += 1; k < firsts.length && firsts[k].slice(0, prefix.length) === prefix; k++) {
            shards[k] = true;
          }
        } else {
          shards[lastAtOrBefore(firsts, term)] = true;
        }
      }
    }
    return { shards: shards, expansions: expansions };
  };

  ShardedIndex.prototype.loadVocabulary = function () {
    var self = this;
    if (this.vocabulary) {
      return Promise.resolve(this.vocabulary);
    }
    var files = [];
    for (var i = 0; i < this.manifest.vocabulary.length; i++) {
      files.push(this.load("vocab/" + this.manifest.vocabulary[i] + ".json"));
    }
    return Promise.all(files).then(function (parts) {
      var builder = new self.lunr.TokenSet.Builder();
      for (var p = 0; p < parts.length; p++) {
        for (var t = 0; t < parts[p].length; t++) {
          builder.insert(parts[p][t]);
        }
      }
      builder.finish();
      self.vocabulary = builder.root;
      return self.vocabulary;
    });
  };

  // Adds to `plan.shards` the shards of every vocabulary term an expanding clause matches.
  ShardedIndex.prototype.expand = function (plan) {
    var self = this;
    if (!plan.expansions.length) {
      return Promise.resolve(plan.shards);
    }
    return this.loadVocabulary().then(function (vocabulary) {
      for (var i = 0; i < plan.expansions.length; i++) {
        var matched = vocabulary.intersect(self.lunr.TokenSet.fromClause(plan.expansions[i])).toArray();
        for (var j = 0; j < matched.length; j++) {
          plan.shards[lastAtOrBefore(self.manifest.shards, matched[j])] = true;
        }
      }
      return plan.shards;
    });
  };

  ShardedIndex.prototype.fetchShards = function (wanted) {
    var self = this;
    var numbers = Object.keys(wanted).map(Number);
    return Promise.all(
      numbers.map(function (n) {
        if (self.shards[n]) {
          return self.shards[n];
        }
        self.shards[n] = self.load("shards/" + self.manifest.shardFiles[n] + ".json");
        return self.shards[n];
      })
    ).then(function (loaded) {
      var byNumber = {};
      for (var i = 0; i < numbers.length; i++) {
        byNumber[numbers[i]] = loaded[i];
      }
      return byNumber;
    });
  };

  /*
   * lunr's serialized index for the terms of the loaded shards: postings keyed by ref, and a field
   * vector per field reference with the entries of those terms in term-number order (lunr's numbers: a
   * document's score sums its terms in that order). `everyField` adds an empty vector for every other
   * (document, field), in lunr's order: purely negative queries enumerate them.
   */
  ShardedIndex.prototype.merge = function (loaded, everyField) {
    var fields = this.manifest.fields;
    var numbers = Object.keys(loaded)
      .map(Number)
      .sort(function (a, b) {
        return a - b;
      });
    var inverted = [];
    var vectors = {};
    var documentCount = this.manifest.documentCount;
    for (var s = 0; s < numbers.length; s++) {
      var entries = loaded[numbers[s]].terms;
      for (var t = 0; t < entries.length; t++) {
        var entry = entries[t];
        var termIndex = entry[1];
        var posting = { _index: termIndex };
        var withTerm = 0; // lunr.idf: the documents having the term, counted per field
        for (var w = 2; w < 2 + fields.length; w++) {
          withTerm += entry[w] ? entry[w][0].length : 0;
        }
        var x = (documentCount - withTerm + 0.5) / (withTerm + 0.5);
        var idf = Math.log(1 + Math.abs(x));
        for (var f = 0; f < fields.length; f++) {
          var perField = entry[2 + f];
          var byRef = {};
          if (perField) {
            var docs = undelta(perField[0]);
            var frequencies = perField[1];
            var lengths = perField[2];
            var positions = perField[3];
            for (var d = 0; d < docs.length; d++) {
              var ref = this.ref(docs[d]);
              var metadata = {};
              if (positions) {
                var flat = positions[d];
                var pairs = [];
                for (var p = 0; p < flat.length; p += 2) {
                  pairs.push([flat[p], flat[p + 1]]);
                }
                metadata.position = pairs;
              }
              byRef[ref] = metadata;
              var fieldRef = fields[f] + "/" + ref;
              var score = this.score(idf, frequencies[d], lengths[d], f);
              (vectors[fieldRef] || (vectors[fieldRef] = [])).push([termIndex, score]);
            }
          }
          posting[fields[f]] = byRef;
        }
        inverted.push([entry[0], posting]);
      }
    }
    var fieldVectors = [];
    var names = everyField ? this.allFieldRefs() : Object.keys(vectors);
    for (var v = 0; v < names.length; v++) {
      var elements = vectors[names[v]] || [];
      elements.sort(function (a, b) {
        return a[0] - b[0];
      });
      var flatVector = [];
      for (var e = 0; e < elements.length; e++) {
        flatVector.push(elements[e][0], elements[e][1]);
      }
      fieldVectors.push([names[v], flatVector]);
    }
    return {
      version: this.lunr.version,
      fields: fields,
      fieldVectors: fieldVectors,
      invertedIndex: inverted,
      pipeline: this.manifest.pipeline,
    };
  };

  ShardedIndex.prototype.allFieldRefs = function () {
    var names = [];
    var fields = this.manifest.fields;
    for (var d = 0; d < this.manifest.documentCount; d++) {
      var ref = this.ref(d);
      for (var f = 0; f < fields.length; f++) {
        names.push(fields[f] + "/" + ref);
      }
    }
    return names;
  };

  // A promise of lunr's results for `queryString` (rejects with lunr.QueryParseError).
  ShardedIndex.prototype.search = function (queryString) {
    var self = this;
    var query;
    try {
      query = this.parse(queryString);
    } catch (error) {
      return Promise.reject(error);
    }
    var plan = this.plan(query);
    var everyField = query.isNegated();
    return this.expand(plan)
      .then(function (wanted) {
        return self.fetchShards(wanted);
      })
      .then(function (loaded) {
        var key = Object.keys(loaded).sort().join(",") + (everyField ? "!" : "");
        if (key !== self.builtKey) {
          self.built = self.lunr.Index.load(self.merge(loaded, everyField));
          self.builtKey = key;
        }
        return self.built.search(queryString);
      });
  };

  // A promise of the stored record ({url, title, ...}) of each document number.
  ShardedIndex.prototype.documents = function (numbers) {
    var self = this;
    var size = this.manifest.storeChunk;
    return Promise.all(
      numbers.map(function (n) {
        var chunk = Math.floor(n / size);
        if (!self.storeChunks[chunk]) {
          // the query names this build's store (a browser's cache keys on it): never one from another build
          self.storeChunks[chunk] = self.load("store/" + chunk + ".json?v=" + self.manifest.storeVersion);
        }
        return self.storeChunks[chunk].then(function (rows) {
          var row = rows[n - chunk * size];
          if (!row) {
            // a store file older than the manifest (a cache that ignores the query): fetch the manifest again
            var error = new Error("the search index changed while it loaded: search again");
            error.gone = true;
            throw error;
          }
          var record = {};
          for (var i = 0; i < STORE_FIELDS.length; i++) {
            record[STORE_FIELDS[i]] = row[i];
          }
          return record;
        });
      })
    );
  };

  // -- the page -----------------------------------------------------------------------------------------

  // lunr lists equal scores by document number, which counts the articles in the order they entered the
  // archive (news_search numbers them so, to keep the index files of the others as they were): the page
  // lists the most recently added first.
  function newestFirstOnTies(found) {
    return found
      .map(function (result, position) {
        return { result: result, position: position };
      })
      .sort(function (a, b) {
        var byScore = b.result.score - a.result.score;
        var newer = Number(b.result.ref) - Number(a.result.ref);
        return byScore || newer || a.position - b.position;
      })
      .map(function (item) {
        return item.result;
      });
  }

  var DEBOUNCE_MS = 200;
  var EDGE_PUNCTUATION = /[\s.,;:!?'"()[\]{}«»“”‘’…]/;

  // `fresh`: ask the server even if the browser holds a copy (the manifest, after a file it named was gone).
  function fetchJSON(url, fresh) {
    var options = { credentials: "same-origin" };
    if (fresh) {
      options.cache = "no-cache";
    }
    return fetch(url, options).then(function (response) {
      if (!response.ok) {
        var error = new Error("could not load " + url + " (HTTP " + response.status + ")");
        error.gone = response.status === 404;
        throw error;
      }
      return response.json();
    });
  }

  function loadScript(doc, src) {
    return new Promise(function (resolve, reject) {
      var script = doc.createElement("script");
      script.src = src;
      script.onload = resolve;
      script.onerror = function () {
        reject(new Error("could not load " + src));
      };
      doc.head.appendChild(script);
    });
  }

  // Loads lunr.js and the manifest once, on first need. Shard and vocabulary files are named by their
  // content, so a manifest and the files it names always agree; but a manifest the browser kept from before
  // the site was published again names files that are gone. `renew` fetches the manifest afresh.
  function Loader(win, doc, form) {
    var pending = null;
    var base = form.getAttribute("data-search-index");
    function load(fresh) {
      var lunrReady = win.lunr ? Promise.resolve() : loadScript(doc, form.getAttribute("data-search-lunr"));
      return Promise.all([lunrReady, fetchJSON(base + "manifest.json", fresh)]).then(function (parts) {
        return new ShardedIndex(win.lunr, parts[1], function (path) {
          return fetchJSON(base + path);
        });
      });
    }
    this.ready = function () {
      if (!pending) {
        pending = load(false);
      }
      return pending;
    };
    // Whether `error` is a file gone (HTTP 404): then the next `ready` gives an index from a manifest fetched
    // afresh. A search retries once after it.
    this.renew = function (error) {
      if (!error || !error.gone) {
        return false;
      }
      pending = load(true);
      return true;
    };
  }

  // Text with the ranges [start, length] (UTF-16 offsets, as lunr records them) wrapped in <mark>.
  function highlighted(doc, text, ranges) {
    var fragment = doc.createDocumentFragment();
    var sorted = ranges.slice().sort(function (a, b) {
      return a[0] - b[0];
    });
    var at = 0;
    for (var i = 0; i < sorted.length; i++) {
      var start = Math.max(sorted[i][0], at);
      var end = sorted[i][0] + sorted[i][1];
      // lunr's token can carry punctuation ("strike,"): mark the word only
      while (end > start && EDGE_PUNCTUATION.test(text.charAt(end - 1))) {
        end--;
      }
      while (start < end && EDGE_PUNCTUATION.test(text.charAt(start))) {
        start++;
      }
      if (end <= start || start >= text.length) {
        continue;
      }
      fragment.appendChild(doc.createTextNode(text.slice(at, start)));
      var mark = doc.createElement("mark");
      mark.textContent = text.slice(start, end);
      fragment.appendChild(mark);
      at = end;
    }
    fragment.appendChild(doc.createTextNode(text.slice(at)));
    return fragment;
  }

  function positionsIn(matchData, field) {
    var ranges = [];
    var metadata = (matchData && matchData.metadata) || {};
    Object.keys(metadata).forEach(function (term) {
      var found = metadata[term][field];
      if (found && found.position) {
        ranges = ranges.concat(found.position);
      }
    });
    return ranges;
  }

  function SearchPage(win, doc, loader, form, input, status, list, more) {
    var results = [];
    var shown = 0;
    var pageSize = Number(list.getAttribute("data-page-size")) || 10;
    var generation = 0;
    var timer = null;

    function say(text) {
      status.textContent = text;
    }

    function renderItem(index, record, result) {
      var item = doc.createElement("li");
      item.className = "search-result";
      var heading = doc.createElement("h2");
      heading.className = "search-result__title";
      var link = doc.createElement("a");
      link.href = record.url;
      link.appendChild(highlighted(doc, record.title, positionsIn(result.matchData, "title")));
      heading.appendChild(link);
      item.appendChild(heading);
      var meta = doc.createElement("p");
      meta.className = "search-result__meta";
      if (record.source) {
        var source = doc.createElement("span");
        source.textContent = record.source;
        meta.appendChild(source);
        meta.appendChild(doc.createTextNode(" · "));
      }
      var time = doc.createElement("time");
      time.setAttribute("datetime", record.date);
      time.textContent = record.dateText;
      meta.appendChild(time);
      item.appendChild(meta);
      if (record.snippet) {
        var snippet = doc.createElement("p");
        snippet.className = "search-result__snippet";
        snippet.appendChild(highlighted(doc, record.snippet, positionsIn(result.matchData, "summary")));
        item.appendChild(snippet);
      }
      return item;
    }

    function showNext(index, mine) {
      var slice = results.slice(shown, shown + pageSize);
      var numbers = slice.map(function (r) {
        return Number(r.ref);
      });
      return index.documents(numbers).then(function (records) {
        if (mine !== generation) {
          return;
        }
        for (var i = 0; i < records.length; i++) {
          list.appendChild(renderItem(shown + i, records[i], slice[i]));
        }
        shown += slice.length;
        more.hidden = shown >= results.length;
      });
    }

    function clearResults() {
      results = [];
      shown = 0;
      more.hidden = true;
      while (list.firstChild) {
        list.removeChild(list.firstChild);
      }
    }

    function run(queryString, started) {
      var mine = ++generation;
      var query = queryString.trim();
      clearResults();
      if (!query) {
        say("Type words to search the archive.");
        list.removeAttribute("data-search-ms");
        return Promise.resolve();
      }
      say("Searching…");
      function attempt() {
        return loader.ready().then(function (index) {
          return index.search(query).then(function (found) {
            if (mine !== generation) {
              return null;
            }
            results = newestFirstOnTies(found);
            return showNext(index, mine);
          });
        });
      }
      return attempt()
        .catch(function (error) {
          if (mine === generation && loader.renew(error)) {
            clearResults();
            return attempt();
          }
          throw error;
        })
        .then(function () {
          if (mine !== generation) {
            return;
          }
          var count = results.length;
          say(count === 0 ? "No articles match “" + query + "”." : count + (count === 1 ? " article" : " articles") + " match “" + query + "”.");
          list.setAttribute("data-search-ms", String(Math.round(win.performance.now() - started)));
          list.setAttribute("data-search-query", query);
        })
        .catch(function (error) {
          if (mine !== generation) {
            return;
          }
          var name = error && error.name === "QueryParseError" ? "That query cannot be read: " : "Search failed: ";
          say(name + (error && error.message ? error.message : String(error)));
          list.setAttribute("data-search-ms", String(Math.round(win.performance.now() - started)));
          list.setAttribute("data-search-query", query);
        });
    }

    function remember(query) {
      var url = new win.URL(win.location.href);
      if (query) {
        url.searchParams.set("q", query);
      } else {
        url.searchParams.delete("q");
      }
      win.history.replaceState(null, "", url.pathname + url.search + url.hash);
    }

    function links() {
      return Array.prototype.slice.call(list.querySelectorAll(".search-result__title a"));
    }

    input.addEventListener("input", function () {
      win.clearTimeout(timer);
      var started = win.performance.now();
      timer = win.setTimeout(function () {
        remember(input.value.trim());
        run(input.value, started);
      }, DEBOUNCE_MS);
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      win.clearTimeout(timer);
      remember(input.value.trim());
      run(input.value, win.performance.now());
    });
    more.addEventListener("click", function () {
      loader.ready().then(function (index) {
        var first = shown;
        return showNext(index, generation).then(function () {
          var all = links();
          if (all[first]) {
            all[first].focus();
          }
        });
      });
    });
    // Keyboard: Down from the box to the first result, Up/Down between results, Escape back to the box.
    doc.addEventListener("keydown", function (event) {
      var all = links();
      var at = all.indexOf(doc.activeElement);
      if (event.key === "ArrowDown" && (doc.activeElement === input || at !== -1)) {
        if (all[at + 1]) {
          all[at + 1].focus();
          event.preventDefault();
        }
      } else if (event.key === "ArrowUp" && at !== -1) {
        (at === 0 ? input : all[at - 1]).focus();
        event.preventDefault();
      } else if (event.key === "Escape" && at !== -1) {
        input.focus();
        event.preventDefault();
      }
    });

    var initial = new win.URL(win.location.href).searchParams.get("q") || "";
    input.value = initial;
    run(initial, win.performance.now());
  }

  function start(win, doc) {
    var forms = doc.querySelectorAll("form[data-search-index]");
    var loaders = [];
    for (var i = 0; i < forms.length; i++) {
      (function (form) {
        var loader = new Loader(win, doc, form);
        loaders.push(loader);
        var input = form.querySelector("input[name=q]");
        // Fetch lunr.js and the manifest as soon as the reader shows interest, not before.
        input.addEventListener(
          "focus",
          function () {
            loader.ready().catch(function () {});
          },
          { once: true }
        );
      })(forms[i]);
    }
    var page = doc.getElementById("search-page");
    if (!page) {
      return;
    }
    var pageForm = page.querySelector("form[data-search-index]");
    var loader = loaders[Array.prototype.indexOf.call(forms, pageForm)];
    var results = doc.getElementById("search-results");
    results.hidden = false;
    doc.getElementById("search-status").hidden = false;
    var noscript = doc.getElementById("search-without-js");
    if (noscript) {
      noscript.hidden = true;
    }
    new SearchPage(
      win,
      doc,
      loader,
      pageForm,
      pageForm.querySelector("input[name=q]"),
      doc.getElementById("search-status"),
      results,
      doc.getElementById("search-more")
    );
  }

  return {
    ShardedIndex: ShardedIndex,
    start: start,
    lastAtOrBefore: lastAtOrBefore,
    newestFirstOnTies: newestFirstOnTies,
  };
});
