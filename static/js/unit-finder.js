/* Unit finder (templates/includes/unit_finder.html): Enter in its search box presses Find;
   Enter in any other box of the form sends the form, as it would on a form without a finder.
   Loaded with defer; no inline script (strict Content Security Policy). Without JavaScript,
   Enter anywhere in the form presses Find, the form's first button, which keeps what was typed
   and saves nothing. */
(function () {
  "use strict";

  var sendsOnEnter = ["text", "email", "search", "number", "date", "tel", "url", "password",
    "radio", "checkbox"];
  var boxes = document.querySelectorAll("input[data-unit-finder]");

  Array.prototype.forEach.call(boxes, function (box) {
    var form = box.form;
    var send = form && form.querySelector(
      "button[type='submit']:not([data-unit-finder-button]), input[type='submit']");
    if (!send) {
      return;
    }
    form.addEventListener("keydown", function (event) {
      var target = event.target;
      if (event.key !== "Enter" || target === box || !(target instanceof HTMLInputElement)) {
        return;
      }
      if (sendsOnEnter.indexOf(target.type) < 0) {
        return;
      }
      event.preventDefault();
      form.requestSubmit(send);
    });
  });
}());
