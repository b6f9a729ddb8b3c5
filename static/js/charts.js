/* Draws every Plotly chart on the page from its JSON (put there with json_script), so pages
   need no inline script. A chart with "links" sends a click on a row to that row's page. */
(function () {
  "use strict";

  function draw(container) {
    var source = document.getElementById(container.getAttribute("data-chart"));
    if (!source || typeof Plotly === "undefined") {
      return;
    }
    var spec = JSON.parse(source.textContent);
    var config = { displayModeBar: false, responsive: true, displaylogo: false };
    Plotly.newPlot(container, spec.data, spec.layout, config).then(function () {
      container.setAttribute("data-drawn", "true");
    });
    if (spec.links) {
      container.on("plotly_click", function (event) {
        var point = event.points && event.points[0];
        if (!point) {
          return;
        }
        var row = typeof point.pointIndex === "number" ? point.pointIndex : point.pointNumber;
        if (Array.isArray(row)) {
          row = row[0];
        }
        var link = spec.links[row];
        if (link) {
          window.location.assign(link);
        }
      });
    }
  }

  // A chart in a closed <details> has no width yet: draw it when the section opens.
  function drawWhenShown(container) {
    var folded = container.closest("details:not([open])");
    if (!folded) {
      draw(container);
      return;
    }
    folded.addEventListener("toggle", function () {
      if (folded.open && !container.hasAttribute("data-drawn")) {
        draw(container);
      }
    });
  }

  // Printing opens the folded sections and sizes the charts for an A4 page (180 mm).
  var printOpened = [];
  function beforePrint() {
    Array.prototype.forEach.call(document.querySelectorAll("details[data-print-open]:not([open])"), function (details) {
      details.open = true;
      printOpened.push(details);
    });
    Array.prototype.forEach.call(document.querySelectorAll("[data-chart]"), function (container) {
      if (!container.hasAttribute("data-drawn")) {
        draw(container);
      }
      if (typeof Plotly !== "undefined" && container.layout) {
        Plotly.relayout(container, { width: 680 });
      }
    });
  }
  function afterPrint() {
    printOpened.forEach(function (details) {
      details.open = false;
    });
    printOpened = [];
    Array.prototype.forEach.call(document.querySelectorAll("[data-chart]"), function (container) {
      if (typeof Plotly !== "undefined" && container.layout) {
        Plotly.relayout(container, { width: null, autosize: true });
      }
    });
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-chart]"), drawWhenShown);
    window.addEventListener("beforeprint", beforePrint);
    window.addEventListener("afterprint", afterPrint);
    Array.prototype.forEach.call(document.querySelectorAll("[data-print]"), function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        window.print();
      });
    });
    Array.prototype.forEach.call(document.querySelectorAll("select[data-autosubmit]"), function (select) {
      select.addEventListener("change", function () {
        select.form.submit();
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
