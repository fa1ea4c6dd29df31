// Small progressive enhancements; every page works without them.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // A select that submits on change must not submit while the keyboard walks its options
  // (Chromium fires "change" on every arrow key): keyboard users submit with Enter or by
  // leaving the field.
  function isAutosubmit(target) {
    return target instanceof HTMLSelectElement && target.hasAttribute("data-autosubmit");
  }
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (!isAutosubmit(target)) return;
    if (event.key === "Enter" && target.dataset.pending === "1") {
      event.preventDefault();
      target.form.submit();
    } else if (event.key !== "Tab" && event.key !== "Enter") {
      target.dataset.keyed = "1";
    }
  });
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (!isAutosubmit(target)) return;
    if (target.dataset.keyed === "1") {
      target.dataset.pending = "1";
      return;
    }
    target.form.submit();
  });
  document.addEventListener("focusout", function (event) {
    var target = event.target;
    if (isAutosubmit(target) && target.dataset.pending === "1") {
      target.form.submit();
    }
  }, true);
  document.addEventListener("pointerdown", function (event) {
    if (isAutosubmit(event.target)) delete event.target.dataset.keyed;
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form instanceof HTMLFormElement && form.dataset.confirm) {
      if (!window.confirm(form.dataset.confirm)) {
        event.preventDefault();
      }
    }
  });

  // Close an open menu when focus or a click moves outside it.
  document.addEventListener("click", function (event) {
    document.querySelectorAll("details.menu[open]").forEach(function (menu) {
      if (!menu.contains(event.target)) {
        menu.removeAttribute("open");
      }
    });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      document.querySelectorAll("details.menu[open]").forEach(function (menu) {
        menu.removeAttribute("open");
        menu.querySelector("summary").focus();
      });
    }
  });
})();
