/* Search over the whole site, also from disk (file://): the index is a script (assets/search-index.js) that sets
   window.CXSEARCH, loaded when the search box is first used. Words are folded like cxreport's search.fold:
   lower case, accents dropped, anything not a letter or digit a space. Every word typed must match the start of a
   word of a result (or, from three letters on, a part of one: Dutch writes compounds as one word). */
(function () {
  "use strict";
  var PER_KIND = 8;
  var box = document.querySelector(".search[data-index]");
  if (!box) { return; }
  var input = box.querySelector("input");
  var panel = document.getElementById("search-results");
  var status = document.getElementById("search-status");
  var root = box.getAttribute("data-root") || "";
  var items = null;
  var loading = false;

  function fold(text) {
    return String(text).toLowerCase().normalize("NFKD").replace(/\p{M}/gu, "").replace(/\u00df/g, "ss")
      .replace(/[^\p{L}\p{N}]+/gu, " ").trim();
  }

  function label(key, values) {
    var text = (window.CXSEARCH.labels || {})[key] || "";
    Object.keys(values || {}).forEach(function (name) { text = text.split("{" + name + "}").join(values[name]); });
    return text;
  }

  function prepare() {
    items = window.CXSEARCH.items.map(function (row, i) {
      return {kind: row[0], title: row[1], url: row[2], context: row[3], order: i,
              head: fold(row[1]).split(" "), rest: (fold(row[3]) + " " + row[4]).split(" ")};
    });
  }

  // Callers wait for the index while it loads; each gets called once it is there.
  var waiting = [];
  function load(then) {
    if (items) { then(); return; }
    if (window.CXSEARCH) { prepare(); then(); return; }
    waiting.push(then);
    if (loading) { return; }
    loading = true;
    var script = document.createElement("script");
    script.src = box.getAttribute("data-index");
    script.onload = function () {
      loading = false;
      if (!window.CXSEARCH) { return; }
      prepare();
      waiting.splice(0).forEach(function (f) { f(); });
    };
    script.onerror = function () {
      loading = false;
      waiting = [];
      status.textContent = box.getAttribute("data-unavailable") || "";
    };
    document.head.appendChild(script);
  }

  function termScore(term, words, exact, prefix, part) {
    var best = 0;
    for (var i = 0; i < words.length; i++) {
      var w = words[i];
      if (w === term) { return exact; }
      if (best < prefix && w.lastIndexOf(term, 0) === 0) { best = prefix; }
      else if (best < part && term.length >= 3 && w.indexOf(term) > 0) { best = part; }
    }
    return best;
  }

  function find(query) {
    var terms = fold(query).split(" ").filter(Boolean);
    if (!terms.length) { return []; }
    var hits = [];
    items.forEach(function (item) {
      var score = 0;
      for (var i = 0; i < terms.length; i++) {
        var s = Math.max(termScore(terms[i], item.head, 12, 8, 4), termScore(terms[i], item.rest, 3, 2, 1));
        if (!s) { return; }
        score += s;
      }
      hits.push({item: item, score: score});
    });
    hits.sort(function (a, b) { return b.score - a.score || a.item.order - b.item.order; });
    return hits.map(function (h) { return h.item; });
  }

  function element(tag, className, text) {
    var el = document.createElement(tag);
    if (className) { el.className = className; }
    if (text) { el.textContent = text; }
    return el;
  }

  function show(query) {
    var found = find(query);
    panel.textContent = "";
    if (!query.trim()) { close(); status.textContent = ""; return; }
    var kinds = window.CXSEARCH.kinds;
    var count = found.length === 1 ? label("count.one") : label("count.other", {n: found.length});
    status.textContent = found.length ? count : label("none", {query: query.trim()});
    if (!found.length) {
      panel.appendChild(element("p", "search-none", label("none", {query: query.trim()})));
    }
    // Groups in the order of their best result, so Enter (the first result) opens the best match.
    var order = [];
    found.forEach(function (item) { if (order.indexOf(item.kind) < 0) { order.push(item.kind); } });
    order.forEach(function (k) {
      var kind = kinds[k];
      var group = found.filter(function (item) { return item.kind === k; });
      var heading = element("p", "search-kind", label("kind." + kind));
      heading.id = "search-kind-" + kind;
      var list = element("ul", "search-group");
      list.setAttribute("aria-labelledby", heading.id);
      group.slice(0, PER_KIND).forEach(function (item) {
        var li = element("li");
        var a = element("a", "search-hit");
        a.href = root + item.url;
        a.appendChild(element("span", "search-title", item.title));
        if (item.context) { a.appendChild(element("span", "search-context", item.context)); }
        li.appendChild(a);
        list.appendChild(li);
      });
      if (group.length > PER_KIND) {
        list.appendChild(element("li", "search-more", label("more", {n: group.length - PER_KIND})));
      }
      panel.appendChild(heading);
      panel.appendChild(list);
    });
    panel.hidden = false;
  }

  function close() {
    panel.hidden = true;
  }

  function hits() { return Array.prototype.slice.call(panel.querySelectorAll("a.search-hit")); }

  function run() { load(function () { show(input.value); }); }

  input.addEventListener("focus", function () { load(function () {}); });  // fetch the index before the first key
  input.addEventListener("input", run);
  input.addEventListener("keydown", function (event) {
    var links = hits();
    if (event.key === "ArrowDown" && links.length) {
      event.preventDefault();
      if (panel.hidden) { panel.hidden = false; }
      links[0].focus();
    } else if (event.key === "Enter") {
      event.preventDefault();
      if (links.length) { links[0].click(); } else { run(); }
    } else if (event.key === "Escape") {
      if (!panel.hidden) { close(); } else { input.value = ""; status.textContent = ""; }
    }
  });
  panel.addEventListener("keydown", function (event) {
    var links = hits();
    var at = links.indexOf(document.activeElement);
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      var next = at + (event.key === "ArrowDown" ? 1 : -1);
      if (next < 0) { input.focus(); } else if (next < links.length) { links[next].focus(); }
    } else if (event.key === "Home" && links.length) {
      event.preventDefault();
      links[0].focus();
    } else if (event.key === "End" && links.length) {
      event.preventDefault();
      links[links.length - 1].focus();
    } else if (event.key === "Escape") {
      event.preventDefault();
      close();
      input.focus();
    }
  });
  // A result on this same page only changes the hash: close the results so the touchpoint can be seen.
  panel.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("a.search-hit")) { close(); }
  });
  document.addEventListener("click", function (event) {
    if (!box.contains(event.target)) { close(); }
  });
  box.addEventListener("focusout", function (event) {
    if (event.relatedTarget && !box.contains(event.relatedTarget)) { close(); }
  });
  document.addEventListener("keydown", function (event) {
    var tag = (event.target.tagName || "").toLowerCase();
    if (event.key === "/" && !event.ctrlKey && !event.metaKey && !event.altKey && tag !== "input" && tag !== "textarea"
        && !event.target.isContentEditable) {
      event.preventDefault();
      input.focus();
    }
  });
  box.hidden = false;
})();
