/* Voice board: show the organisation's safety contact as soon as "Safety" is chosen.
   Loaded with defer; no inline script (strict Content Security Policy). Without JavaScript the
   server shows the contact on a confirmation step before the issue is sent. */
(function () {
  "use strict";

  var form = document.querySelector("form.voice-raise");
  if (form) {
    var block = form.querySelector("[data-voice-safety-block]");
    var seen = form.querySelector("input[name='safety_seen']");
    var safety = form.querySelector("input[data-voice-safety]");
    var radios = form.querySelectorAll("input[name='category']");

    var update = function () {
      var chosen = Boolean(safety && safety.checked);
      if (block) {
        block.hidden = !chosen;
      }
      if (chosen && seen) {
        // The contact is on screen now, so the server need not ask again before sending.
        seen.value = "1";
      }
    };

    for (var i = 0; i < radios.length; i += 1) {
      radios[i].addEventListener("change", update);
    }
    update();
  }

  var first = document.getElementById("error-summary") || document.getElementById("safety-first");
  if (first) {
    first.focus();
  }
})();
