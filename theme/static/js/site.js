/*
 * Progressive enhancements for the news archive. The pages work without this file.
 *  - Relative times: after each <time data-relative datetime="..."> the sibling
 *    <span class="reltime"> receives "3 hours ago", "yesterday", ... (refreshed every minute).
 *  - "Copy link" share buttons (rendered hidden) are revealed when the clipboard API exists.
 *  - The trending strip: nav.trending[data-trending-src] names a JSON file ({window, items: [{label, url}]});
 *    its items fill the strip's list (a link when url is set). The file is one for the whole site, so a new
 *    rising term does not change every page. Without it the strip is the link to the trending page.
 *  - The 404 page: an address the site does not have is offered as a search for the words in it; a story's old
 *    address goes on to the story. A story is named after one of its articles; when two stories merge, the
 *    other name's address is gone, and the map the build writes (story/aliases/N.json: article -> story, split
 *    into files by a hash of the article's slug) says which story that article is in now.
 * Everything is written with textContent; no globals are created.
 */
(function () {
  "use strict";

  var MINUTE = 60 * 1000;
  var HOUR = 60 * MINUTE;
  var DAY = 24 * HOUR;

  function startOfDay(date) {
    return new Date(date.getFullYear(), date.getMonth(), date.getDate()).getTime();
  }

  // Picks the unit a reader expects: minutes within the hour, hours within 24 hours,
  // then calendar days (so "yesterday" means the previous date), weeks, months, years.
  function relativePhrase(format, then, now) {
    var elapsed = now.getTime() - then.getTime();
    var sign = elapsed < 0 ? 1 : -1;
    var abs = Math.abs(elapsed);
    if (abs < MINUTE) {
      return format.format(0, "second");
    }
    if (abs < HOUR) {
      return format.format(sign * Math.floor(abs / MINUTE), "minute");
    }
    if (abs < DAY) {
      return format.format(sign * Math.floor(abs / HOUR), "hour");
    }
    var days = Math.max(1, Math.round(Math.abs(startOfDay(now) - startOfDay(then)) / DAY));
    if (days < 7) {
      return format.format(sign * days, "day");
    }
    if (days < 30) {
      return format.format(sign * Math.floor(days / 7), "week");
    }
    if (days < 365) {
      return format.format(sign * Math.floor(days / 30), "month");
    }
    return format.format(sign * Math.floor(days / 365), "year");
  }

  function updateRelativeTimes() {
    if (!("RelativeTimeFormat" in Intl)) {
      return;
    }
    var format;
    try {
      format = new Intl.RelativeTimeFormat(document.documentElement.lang || undefined, { numeric: "auto" });
    } catch (error) {
      format = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });
    }
    var now = new Date();
    var times = document.querySelectorAll("time[data-relative]");
    for (var i = 0; i < times.length; i++) {
      var time = times[i];
      var target = time.nextElementSibling;
      if (!target || !target.classList.contains("reltime")) {
        continue;
      }
      var then = new Date(time.getAttribute("datetime"));
      if (isNaN(then.getTime())) {
        continue;
      }
      target.textContent = relativePhrase(format, then, now);
    }
  }

  function setUpCopyButtons() {
    if (!navigator.clipboard || !window.isSecureContext) {
      return;
    }
    var buttons = document.querySelectorAll("button[data-copy-url]");
    for (var i = 0; i < buttons.length; i++) {
      enableCopyButton(buttons[i]);
    }
  }

  function enableCopyButton(button) {
    var container = button.closest(".share");
    var status = container ? container.querySelector("[aria-live]") : null;
    var clearTimer = null;

    function say(message) {
      if (!status) {
        return;
      }
      status.textContent = message;
      window.clearTimeout(clearTimer);
      clearTimer = window.setTimeout(function () {
        status.textContent = "";
      }, 5000);
    }

    button.addEventListener("click", function () {
      navigator.clipboard.writeText(button.getAttribute("data-copy-url")).then(
        function () {
          say("Link copied to the clipboard.");
        },
        function () {
          say("Could not copy the link. Copy it from the address bar instead.");
        }
      );
    });
    button.hidden = false;
  }

  // A JSON file of this site: its data, or a rejection (an HTTP error too).
  function fetchJson(url) {
    return window.fetch(url, { credentials: "same-origin" }).then(function (response) {
      if (!response.ok) {
        throw new Error("HTTP " + response.status);
      }
      return response.json();
    });
  }

  function setUpTrending() {
    var nav = document.querySelector("nav.trending[data-trending-src]");
    if (!nav || !window.fetch) {
      return;
    }
    var shown = nav.querySelector(".trending__now");
    var list = nav.querySelector(".trending__items");
    var quiet = nav.querySelector(".trending__quiet");
    if (!shown || !list || !quiet) {
      return;
    }
    var siteUrl = nav.getAttribute("data-site-url") || "";
    fetchJson(nav.getAttribute("data-trending-src"))
      .then(function (strip) {
        var items = strip && Array.isArray(strip.items) ? strip.items : [];
        for (var i = 0; i < items.length; i++) {
          var item = items[i];
          if (!item || typeof item.label !== "string") {
            continue;
          }
          var entry = document.createElement("li");
          if (typeof item.url === "string" && item.url) {
            var link = document.createElement("a");
            link.href = siteUrl + "/" + item.url;
            link.textContent = item.label;
            entry.appendChild(link);
          } else {
            entry.textContent = item.label;
          }
          list.appendChild(entry);
        }
        quiet.hidden = list.children.length > 0;
        shown.hidden = false;
      })
      .catch(function () {
        // The strip stays the link to the trending page.
      });
  }

  // Letters and digits of any script where the browser knows Unicode classes in patterns (a literal would stop
  // older browsers from reading this whole file), ASCII ones elsewhere.
  var NOT_WORDS = (function () {
    try {
      return new RegExp("[^\\p{L}\\p{N}]+", "gu");
    } catch (error) {
      return /[^A-Za-z0-9]+/g;
    }
  })();

  // "/2026/11/02/harbour-cranes-return/" -> "harbour cranes return": the last part of the address, as words.
  function wordsOfAddress(path) {
    var parts = path.split("/").filter(function (part) {
      return part && part !== "index.html";
    });
    if (!parts.length) {
      return "";
    }
    var last;
    try {
      last = decodeURIComponent(parts[parts.length - 1]);
    } catch (error) {
      return "";
    }
    return last.replace(/\.[a-z0-9]+$/i, "").replace(NOT_WORDS, " ").trim().slice(0, 100);
  }

  // The file of the story map that holds `slug`: 32-bit FNV-1a of its UTF-8 bytes, modulo the number of files
  // (news_stories' alias_shard computes the same).
  function aliasShard(slug, files) {
    var bytes = new TextEncoder().encode(slug);
    var hash = 0x811c9dc5;
    for (var i = 0; i < bytes.length; i++) {
      hash = Math.imul(hash ^ bytes[i], 0x01000193) >>> 0;
    }
    return hash % files;
  }

  // The id of the story an old story address names, or null: `storyUrl` is the site's STORY_URL ("story/{slug}/").
  function storyAddressSlug(path, root, storyUrl) {
    var parts = storyUrl.split("{slug}");
    if (parts.length !== 2 || path.indexOf(root) !== 0) {
      return null;
    }
    var rest = path.slice(root.length).replace(/index\.html$/, "");
    if (rest.indexOf(parts[0]) !== 0) {
      return null;
    }
    var slug = rest.slice(parts[0].length);
    var suffix = parts[1].replace(/index\.html$/, "");
    if (suffix && slug.slice(-suffix.length) === suffix) {
      slug = slug.slice(0, slug.length - suffix.length);
    }
    return /^[a-z0-9][a-z0-9._-]*$/i.test(slug) ? slug : null;
  }

  function setUpNotFound() {
    var search = document.querySelector(".not-found__search[data-search-url]");
    var words = wordsOfAddress(window.location.pathname);
    if (search && words) {
      var link = search.querySelector("a");
      link.href = search.getAttribute("data-search-url") + "?q=" + encodeURIComponent(words);
      link.textContent = "Search the archive for \u201c" + words + "\u201d";
      search.hidden = false;
    }
    var moved = document.querySelector(".not-found__moved[data-story-aliases][data-story-url]");
    if (!moved || !window.fetch) {
      return;
    }
    var siteUrl = moved.getAttribute("data-site-url") || "";
    var storyUrl = moved.getAttribute("data-story-url");
    var root = new URL(siteUrl + "/", window.location.href).pathname;
    var slug = storyAddressSlug(window.location.pathname, root, storyUrl);
    if (slug === null) {
      return; // not a story's address: the map (large on a big archive) is not fetched
    }
    var files = parseInt(moved.getAttribute("data-story-aliases-files"), 10) || 1;
    var mapUrl = moved.getAttribute("data-story-aliases").replace("{shard}", String(aliasShard(slug, files)));
    fetchJson(mapUrl)
      .then(function (map) {
        if (!map || !map.aliases || typeof map.aliases !== "object") {
          return;
        }
        if (!Object.prototype.hasOwnProperty.call(map.aliases, slug)) {
          return;
        }
        var ident = map.aliases[slug];
        if (typeof ident !== "string" || !/^[a-z0-9][a-z0-9._-]*$/i.test(ident)) {
          return;
        }
        var target = siteUrl + "/" + storyUrl.replace("{slug}", ident);
        moved.querySelector("a").href = target;
        moved.hidden = false;
        window.location.replace(target);
      })
      .catch(function () {
        // The page stays as it is: the links above and the search.
      });
  }

  function start() {
    updateRelativeTimes();
    window.setInterval(updateRelativeTimes, MINUTE);
    document.addEventListener("visibilitychange", function () {
      if (!document.hidden) {
        updateRelativeTimes();
      }
    });
    setUpCopyButtons();
    setUpTrending();
    setUpNotFound();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
