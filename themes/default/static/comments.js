/* A metric's comments page: filter by code and NPS group and page through the comments, from disk, no server.
   The comments come from the JSON in the page (script.comment-data); every text is set as text, never as HTML. */
(function () {
  "use strict";
  function start() {
    var box = document.querySelector(".comment-browser");
    var source = box && box.querySelector(".comment-data");
    if (!source) { return; }
    var data = JSON.parse(source.textContent);
    var items = data.items, labels = data.labels, size = data.size;
    var form = box.querySelector(".comment-filters");
    var list = box.querySelector(".comment-list");
    var status = box.querySelector(".comment-status");
    var pager = box.querySelector(".comment-pager");
    var prev = box.querySelector(".comment-prev"), next = box.querySelector(".comment-next");
    var pageText = box.querySelector(".comment-page");
    var code = form.querySelector("select[name=code]"), group = form.querySelector("select[name=group]");
    var page = 0, chosen = items;

    function fill(text, values) {
      return text.replace(/\{(\w+)\}/g, function (all, key) { return key in values ? String(values[key]) : all; });
    }
    function element(tag, cls, text) {
      var el = document.createElement(tag);
      if (cls) { el.className = cls; }
      if (text) { el.textContent = text; }
      return el;
    }
    function quote(item) {
      var li = element("li");
      var q = element("blockquote", "comment" + (item.g ? " group-" + item.g : ""));
      q.appendChild(element("p", "", item.t));
      var meta = element("footer", "meta");
      if (item.g) { meta.appendChild(element("span", "badge", labels.groups[item.g] || item.g)); meta.appendChild(document.createTextNode(" ")); }
      var parts = [item.d];
      if (item.c.length) { parts.push(item.c.map(function (c) { return labels.codes[c] || c; }).join(", ")); }
      meta.appendChild(document.createTextNode(parts.filter(Boolean).join(" · ")));
      q.appendChild(meta);
      li.appendChild(q);
      if (item.p) {
        li.appendChild(document.createTextNode(" "));
        var a = element("a", "meta", item.p);
        a.href = item.u;
        li.appendChild(a);
      }
      if (item.r) { li.id = "r-" + item.r; }
      return li;
    }
    function draw() {
      var pages = Math.max(1, Math.ceil(chosen.length / size));
      page = Math.min(page, pages - 1);
      list.textContent = "";
      chosen.slice(page * size, (page + 1) * size).forEach(function (item) { list.appendChild(quote(item)); });
      status.textContent = chosen.length ? fill(labels.shown, {n: chosen.length, total: items.length}) : labels.none;
      pageText.textContent = fill(labels.page, {n: page + 1, count: pages});
      prev.disabled = page === 0;
      next.disabled = page >= pages - 1;
      pager.hidden = pages < 2;
    }
    function choose() {
      var c = code ? code.value : "", g = group ? group.value : "";
      chosen = items.filter(function (item) {
        return (!c || item.c.indexOf(c) >= 0) && (!g || item.g === g);
      });
      page = 0;
      draw();
    }
    function toHash() {
      var id = decodeURIComponent(location.hash.slice(1));
      if (id.indexOf("r-") !== 0) { return; }
      var k = chosen.findIndex(function (item) { return "r-" + item.r === id; });
      if (k < 0) { return; }
      page = Math.floor(k / size);
      draw();
      var el = document.getElementById(id);
      if (el) { el.scrollIntoView(); }
    }
    form.hidden = false;
    form.addEventListener("change", choose);
    form.addEventListener("submit", function (e) { e.preventDefault(); });
    prev.addEventListener("click", function () { page -= 1; draw(); });
    next.addEventListener("click", function () { page += 1; draw(); });
    window.addEventListener("hashchange", toHash);
    choose();
    toHash();
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
