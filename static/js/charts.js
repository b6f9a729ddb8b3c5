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
    var drawn = Plotly.newPlot(container, spec.data, spec.layout, config).then(function () {
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
    return drawn;
  }

  // Sections marked data-fold-on-phone are open in the page (and without JavaScript); on a
  // narrow screen they fold once their charts are drawn (Plotly cannot draw in a hidden box).
  var PHONE = "(max-width: 767.98px)";
  function foldOnPhone() {
    if (window.matchMedia && window.matchMedia(PHONE).matches) {
      Array.prototype.forEach.call(document.querySelectorAll("details[data-fold-on-phone]"), function (details) {
        details.open = false;
      });
    }
    document.documentElement.setAttribute("data-charts-ready", "true");
  }

  // A folded chart keeps the width it was drawn at: fit it when the section opens again.
  function fitWhenShown(container) {
    var folded = container.closest("details");
    if (!folded) {
      return;
    }
    folded.addEventListener("toggle", function () {
      if (folded.open && typeof Plotly !== "undefined" && container.layout) {
        Plotly.Plots.resize(container);
      }
    });
  }

  // Printing opens the folded sections, sizes the charts for an A4 page (180 mm) and draws bars
  // without their fill patterns: a browser writes each patterned bar into the PDF as a picture
  // (megabytes a page), and on paper every bar still carries its band's name as text.
  var printOpened = [];
  var printing = false;
  function eachChart(callback) {
    Array.prototype.forEach.call(document.querySelectorAll("[data-chart]"), function (container) {
      if (typeof Plotly !== "undefined" && container.layout) {
        callback(container);
      }
    });
  }
  function patternedTraces(container) {
    var indices = [];
    container.data.forEach(function (trace, index) {
      if (trace.marker && trace.marker.pattern && trace.marker.pattern.shape) {
        indices.push(index);
      }
    });
    return indices;
  }
  function beforePrint() {
    if (printing) {
      return;
    }
    printing = true;
    Array.prototype.forEach.call(document.querySelectorAll("details[data-print-open]:not([open])"), function (details) {
      details.open = true;
      printOpened.push(details);
    });
    eachChart(function (container) {
      var patterned = patternedTraces(container);
      container.printPatterns = patterned.map(function (index) {
        return container.data[index].marker.pattern.shape;
      });
      container.printPatternTraces = patterned;
      if (patterned.length) {
        Plotly.restyle(container, { "marker.pattern.shape": "" }, patterned);
      }
      Plotly.relayout(container, { width: 680 });
    });
  }
  function afterPrint() {
    if (!printing) {
      return;
    }
    printing = false;
    printOpened.forEach(function (details) {
      details.open = false;
    });
    printOpened = [];
    eachChart(function (container) {
      if (container.printPatternTraces && container.printPatternTraces.length) {
        Plotly.restyle(container, { "marker.pattern.shape": container.printPatterns }, container.printPatternTraces);
      }
      Plotly.relayout(container, { width: null, autosize: true });
    });
  }
  // Browsers fire beforeprint when a person prints; a print stylesheet applied otherwise (a
  // headless browser writing a PDF) is seen through the print media query.
  function watchPrintMedia() {
    if (!window.matchMedia) {
      return;
    }
    var print = window.matchMedia("print");
    var onChange = function (event) {
      if (event.matches) {
        beforePrint();
      } else {
        afterPrint();
      }
    };
    if (print.addEventListener) {
      print.addEventListener("change", onChange);
    } else if (print.addListener) {
      print.addListener(onChange);
    }
  }

  function init() {
    var drawing = [];
    Array.prototype.forEach.call(document.querySelectorAll("[data-chart]"), function (container) {
      drawing.push(draw(container));
      fitWhenShown(container);
    });
    Promise.all(drawing).then(foldOnPhone, foldOnPhone);
    window.addEventListener("beforeprint", beforePrint);
    window.addEventListener("afterprint", afterPrint);
    watchPrintMedia();
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
