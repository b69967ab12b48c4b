// CertQuiz moderation: the "Report a problem" dialog and enlargeable exhibit images.
// Progressive enhancement: without JavaScript the report link opens a page and an image opens full size.
(function () {
  "use strict";

  function focusInside(dialog) {
    var target = dialog.querySelector("[data-autofocus], [aria-invalid='true'], [autofocus]") ||
      dialog.querySelector("input, textarea, select, button");
    if (target) { target.focus(); }
  }

  // htmx puts a <dialog data-modal> into #report-dialog-slot: open it as a modal. Escape and the
  // Cancel button (a method="dialog" form) close it, which removes it; the browser returns focus to
  // the link. A swap inside the open dialog (errors, the thank-you note) keeps focus in the dialog.
  document.addEventListener("htmx:afterSettle", function () {
    document.querySelectorAll("dialog[data-modal]").forEach(function (dialog) {
      if (!dialog.open) {
        dialog.addEventListener("close", function () { dialog.remove(); });
        if (typeof dialog.showModal === "function") { dialog.showModal(); } else { dialog.setAttribute("open", ""); }
      }
      if (!dialog.contains(document.activeElement)) { focusInside(dialog); }
    });
  });

  // The player's keyboard shortcuts (certquiz.js) must not act behind an open dialog.
  document.addEventListener("keydown", function (event) {
    if (event.target && event.target.closest && event.target.closest("dialog[open]")) { event.stopPropagation(); }
  }, true);

  // Exhibit images: a click shows the image large in a dialog; Escape or Close ends it.
  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest(".question-images a") : null;
    if (!link || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) { return; }
    var dialog = document.createElement("dialog");
    if (typeof dialog.showModal !== "function") { return; }
    event.preventDefault();
    var thumbnail = link.querySelector("img");
    dialog.className = "dialog lightbox";
    dialog.setAttribute("aria-label", thumbnail ? thumbnail.alt.replace(" (opens full size)", "") : "Exhibit");
    var image = document.createElement("img");
    image.src = link.href;
    image.alt = thumbnail ? thumbnail.alt.replace(" (opens full size)", "") : "";
    var form = document.createElement("form");
    form.method = "dialog";
    var close = document.createElement("button");
    close.type = "submit";
    close.className = "button button-secondary";
    close.textContent = "Close";
    form.appendChild(close);
    dialog.appendChild(image);
    dialog.appendChild(form);
    dialog.addEventListener("close", function () { dialog.remove(); });
    dialog.addEventListener("click", function (click) { if (click.target === dialog) { dialog.close(); } });
    document.body.appendChild(dialog);
    dialog.showModal();
    close.focus();
  });
})();
