/* Fits the printed report (print.html, for `cxreport pdf`) to its pages, once every chart has drawn.

   Each .print-sheet starts on a page of its own (the summary, a journey's introduction, each part of its map, the
   pillars, the playbooks). A sheet a little taller than a page would spill a few lines, or a margin, onto a
   page of their own: it is zoomed out, down to MIN_ZOOM, to the largest size at which it fits one page
   (--sheet-height in print.css, the page less its margins). A map part still too tall at MIN_ZOOM keeps its
   size and is split between whole lanes into pages of about equal height, so no lane is left alone on a page.
   Charts in a zoomed sheet are drawn again at their new width. Then <html data-print="fitted"> says it is done:
   cxreport pdf prints only then. */
(function () {
  "use strict";
  var MIN_ZOOM = 0.7;
  var STEPS = 8;

  function height(el) { return el.getBoundingClientRect().height; }

  function pageHeight() {
    var probe = document.createElement("div");
    probe.style.cssText = "position: absolute; visibility: hidden; width: 1px; height: var(--sheet-height, 184mm)";
    document.body.appendChild(probe);
    var h = probe.getBoundingClientRect().height;
    probe.remove();
    return Math.floor(h) - 2;  // a pixel or two of rounding never makes a page of its own
  }

  function zoomToFit(sheet, page) {
    sheet.style.zoom = MIN_ZOOM;
    if (height(sheet) > page) { sheet.style.zoom = ""; return false; }
    var fits = MIN_ZOOM, over = 1;
    for (var i = 0; i < STEPS; i++) {
      var mid = (fits + over) / 2;
      sheet.style.zoom = mid;
      if (height(sheet) <= page) { fits = mid; } else { over = mid; }
    }
    sheet.style.zoom = String(Math.floor(fits * 1000) / 1000);
    return true;
  }

  // Greedy pages of whole rows, none taller than cap: the index of the first row of each page after the first.
  function breaks(rows, cap) {
    var starts = [], used = 0;
    rows.forEach(function (h, i) {
      if (used > 0 && used + h > cap) { starts.push(i); used = 0; }
      used += h;
    });
    return starts;
  }

  function splitLanes(sheet, page) {
    var table = sheet.querySelector("table");
    if (!table || !table.tBodies.length) { return; }
    var head = height(table.tHead) + (table.getBoundingClientRect().top - sheet.getBoundingClientRect().top);
    var rows = Array.prototype.slice.call(table.tBodies[0].rows);
    var sizes = rows.map(height);
    var room = page - head;  // the header rows repeat on every page
    var count = breaks(sizes, room).length + 1;
    var total = sizes.reduce(function (a, b) { return a + b; }, 0);
    var low = Math.max(total / count, Math.max.apply(null, sizes)), high = room;
    for (var i = 0; i < STEPS; i++) {  // the smallest cap that needs no more pages: pages of about equal height
      var mid = (low + high) / 2;
      if (breaks(sizes, mid).length + 1 <= count) { high = mid; } else { low = mid; }
    }
    breaks(sizes, high).forEach(function (i) { rows[i].classList.add("print-break"); });
  }

  function fit() {
    var page = pageHeight();
    var zoomed = [];
    Array.prototype.forEach.call(document.querySelectorAll(".print-sheet"), function (sheet) {
      if (height(sheet) <= page) { return; }
      if (zoomToFit(sheet, page)) { zoomed.push(sheet); } else if (sheet.classList.contains("map-part")) { splitLanes(sheet, page); }
    });
    var redraws = [];
    if (window.Plotly) {
      zoomed.forEach(function (sheet) {
        Array.prototype.forEach.call(sheet.querySelectorAll(".js-plotly-plot"), function (gd) {
          redraws.push(window.Plotly.Plots.resize(gd));
        });
      });
    }
    Promise.all(redraws).then(function () { document.documentElement.setAttribute("data-print", "fitted"); });
  }

  function whenDrawn() {
    var root = document.documentElement;
    if (!document.querySelector("script[data-chart]") || root.getAttribute("data-charts") === "drawn") {
      (document.fonts ? document.fonts.ready : Promise.resolve()).then(fit);
      return;
    }
    new MutationObserver(function (changes, observer) {
      if (root.getAttribute("data-charts") === "drawn") { observer.disconnect(); whenDrawn(); }
    }).observe(root, { attributes: true, attributeFilter: ["data-charts"] });
  }

  if (document.readyState === "complete") { whenDrawn(); } else { window.addEventListener("load", whenDrawn); }
})();
