/* Unit finder (templates/includes/unit_finder.html): Enter in its search box presses Find;
   Enter in any other box of the form sends the form, as it would on a form without a finder,
   unless words were typed in the search box and not yet looked for: then it presses Find, so
   the form is never sent with a unit chosen before the search.
   After a Find (the page comes back with the words in the box), the list of units found has
   the focus: the sentence above the box, which says what was found, is its description, and a
   screen reader reads it with the list (a status drawn with the page is not announced).
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
    if (!form || form.hasAttribute("data-unit-finder-ready")) {
      return;
    }
    form.setAttribute("data-unit-finder-ready", "");
    var list = document.getElementById(box.getAttribute("data-unit-finder-list"));
    if (list && box.defaultValue) {
      list.focus();
    }
    var find = form.querySelector("[data-unit-finder-button]");
    var send = form.querySelector(
      "button[type='submit']:not([data-unit-finder-button]), input[type='submit']");
    if (!send || !find) {
      return;
    }
    var press = function (button) {
      if (typeof form.requestSubmit === "function") {
        form.requestSubmit(button);
      } else {
        button.click();
      }
    };
    form.addEventListener("keydown", function (event) {
      var target = event.target;
      if (event.key !== "Enter" || event.isComposing || target === box ||
          !(target instanceof HTMLInputElement) || sendsOnEnter.indexOf(target.type) < 0) {
        return;
      }
      event.preventDefault();
      press(box.value !== box.defaultValue ? find : send);
    });
  });
}());
