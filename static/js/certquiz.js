// CertQuiz: progressive enhancement only; every page works without JavaScript.
(function () {
  "use strict";

  function player() { return document.getElementById("player"); }

  function isTyping(target) {
    return target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName) &&
      !/^(radio|checkbox)$/.test(target.type));
  }

  // A shortcut pressed right after a swap may come before htmx has set up the new content (it does
  // so once the swap settles): process the element first, or the click would load a whole page.
  function activate(element) {
    if (window.htmx) { window.htmx.process(element.closest("[hx-get], [hx-post]") || element); }
    element.click();
  }

  // Keyboard shortcuts in the player: 1-9 select, Enter submit, N next, P previous.
  document.addEventListener("keydown", function (event) {
    var root = player();
    if (!root || event.ctrlKey || event.metaKey || event.altKey || isTyping(event.target)) { return; }
    if (/^[1-9]$/.test(event.key)) {
      var input = root.querySelector('input[data-option-key="' + event.key + '"]:not([disabled])');
      if (input) {
        event.preventDefault();
        if (input.type === "radio") { input.checked = true; } else { input.checked = !input.checked; }
        input.focus();
        // An exam saves a choice on its change event (htmx); a scripted check fires none by itself.
        input.dispatchEvent(new Event("change", { bubbles: true }));
      }
    } else if (event.key === "Enter") {
      if (event.target && /^(BUTTON|A|SUMMARY)$/.test(event.target.tagName)) { return; }
      var submit = root.querySelector('[data-shortcut="submit"]') ||
        (event.target && event.target.form && event.target.form.id === "exam-form" ? root.querySelector('[data-shortcut="next"]') : null);
      if (submit) { event.preventDefault(); activate(submit); }
    } else if (event.key === "n" || event.key === "N") {
      var next = root.querySelector('[data-shortcut="next"]');
      if (next) { event.preventDefault(); activate(next); }
    } else if (event.key === "p" || event.key === "P") {
      var previous = root.querySelector('[data-shortcut="previous"]');
      if (previous) { event.preventDefault(); activate(previous); }
    }
  });

  // Countdown for timed exams, from the seconds the server says are left (the browser's clock may
  // be wrong). The server ends the exam at the deadline whatever happens here; at zero the page
  // reloads and the server shows the results, saying the time is up.
  var timerInterval = null;
  function startTimer() {
    if (timerInterval) { clearInterval(timerInterval); timerInterval = null; }
    var clock = document.querySelector("[data-seconds-left]");
    if (!clock) { return; }
    var deadline = Date.now() + 1000 * parseInt(clock.dataset.secondsLeft, 10);
    var display = document.querySelector("[data-timer]");
    function tick() {
      var left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
      if (display) {
        var minutes = Math.floor(left / 60), seconds = left % 60;
        display.textContent = minutes + ":" + (seconds < 10 ? "0" : "") + seconds;
        display.classList.toggle("low", left <= 60);
      }
      if (left <= 0) {
        clearInterval(timerInterval); timerInterval = null;
        // A moment's grace, so the server's clock has passed the deadline too.
        setTimeout(function () { window.location.assign(window.location.pathname); }, 1000);
      }
    }
    tick();
    timerInterval = setInterval(tick, 1000);
  }

  // A code block wider than the screen scrolls sideways; keyboard users need to reach it to scroll.
  function focusableScrollers() {
    document.querySelectorAll("main pre").forEach(function (pre) {
      if (pre.scrollWidth > pre.clientWidth) { pre.tabIndex = 0; } else { pre.removeAttribute("tabindex"); }
    });
  }
  var resizeTimer = null;
  window.addEventListener("resize", function () {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(focusableScrollers, 150);
  });

  // A toast's close button: the toast goes at once (without JavaScript it fades by itself).
  document.addEventListener("click", function (event) {
    var close = event.target.closest && event.target.closest("[data-dismiss-toast]");
    if (close) { close.closest(".toast").remove(); }
  });

  document.addEventListener("DOMContentLoaded", function () { startTimer(); focusableScrollers(); });
  document.addEventListener("htmx:afterSettle", function (event) {
    startTimer();
    focusableScrollers();
    // After a swap, move focus to the new question's heading so screen readers and keyboards follow.
    // After an answer (a POST into the player), the verdict instead, at the top of the screen: on a
    // phone it would otherwise start below the fold.
    var target = event.detail && event.detail.elt;
    if (target && target.id === "player") {
      var config = event.detail.requestConfig;
      var answered = config && config.verb === "post" && document.querySelector("#player [data-verdict]");
      var focusable = answered || document.querySelector("#player [data-autofocus]");
      if (focusable) { focusable.focus({ preventScroll: true }); focusable.scrollIntoView({ block: answered ? "start" : "nearest" }); }
    }
  });
})();
