// Suspect files dropped on the monitoring page: the drop zone hands the dropped files to the
// form's file input (several at once) and lists their names. Without this script the
// input works as a plain multiple-file chooser.
(function () {
  "use strict";

  function start() {
    var zone = document.getElementById("suspect-drop");
    var input = document.getElementById("suspect-files");
    var list = document.getElementById("suspect-dropped");
    if (!zone || !input || !list || typeof DataTransfer === "undefined") {
      return;
    }

    function show() {
      list.textContent = "";
      for (var i = 0; i < input.files.length; i += 1) {
        var item = document.createElement("li");
        item.textContent = input.files[i].name;
        list.appendChild(item);
      }
    }

    zone.addEventListener("dragover", function (event) {
      event.preventDefault();
      zone.classList.add("dragging");
    });
    zone.addEventListener("dragleave", function () {
      zone.classList.remove("dragging");
    });
    zone.addEventListener("drop", function (event) {
      event.preventDefault();
      zone.classList.remove("dragging");
      if (!event.dataTransfer || !event.dataTransfer.files.length) {
        return;
      }
      // Files dropped now join those chosen or dropped before.
      var all = new DataTransfer();
      var i;
      for (i = 0; i < input.files.length; i += 1) {
        all.items.add(input.files[i]);
      }
      for (i = 0; i < event.dataTransfer.files.length; i += 1) {
        all.items.add(event.dataTransfer.files[i]);
      }
      input.files = all.files;
      show();
    });
    input.addEventListener("change", show);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
