// Progressive enhancement only: every page works without it. Loaded from /static (CSP script-src 'self') in the
// head, not deferred, so the "js" class is set before the first paint and the folded menu does not shift the page.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // A phone gets one compact bar: the menu (search, navigation, language) folds away behind a button.
  function setupMenu() {
    var button = document.querySelector(".menu-toggle");
    var menu = document.getElementById("site-menu");
    if (!button || !menu) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      var open = button.getAttribute("aria-expanded") === "true";
      button.setAttribute("aria-expanded", String(!open));
      menu.classList.toggle("open", !open);
      if (!open) {
        var q = document.getElementById("site-q");
        if (q) q.focus();
      }
    });
  }

  // Copy buttons: <button data-copy="ID"> copies the value (or text) of element ID and says so.
  function setupCopy() {
    document.querySelectorAll("button[data-copy]").forEach(function (button) {
      button.hidden = false;
      var label = button.textContent;
      button.addEventListener("click", function () {
        var source = document.getElementById(button.getAttribute("data-copy"));
        if (!source) return;
        var text = source.value !== undefined && source.tagName !== "OUTPUT" ? source.value : source.textContent;
        var done = function () {
          button.textContent = button.getAttribute("data-copied") || label;
          setTimeout(function () { button.textContent = label; }, 2000);
        };
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(text.trim()).then(done, function () { fallback(source); done(); });
        } else { fallback(source); done(); }
      });
    });
  }

  function fallback(source) {
    if (source.select) { source.select(); }
    else { var range = document.createRange(); range.selectNodeContents(source);
      var sel = window.getSelection(); sel.removeAllRanges(); sel.addRange(range); }
    try { document.execCommand("copy"); } catch (e) { /* the text stays selected for Ctrl+C */ }
  }

  // Print buttons (GOV.UK "print this page").
  function setupPrint() {
    document.querySelectorAll("button[data-print]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { window.print(); });
    });
  }

  // The list of measures: filters fold away on a phone (results come first); a jump link opens its facet group;
  // after filtering, focus moves to the results heading, which is described by the new count.
  function setupFilters() {
    var narrow = window.matchMedia && window.matchMedia("(max-width: 47.99em)").matches;
    document.querySelectorAll("details[data-close-narrow]").forEach(function (d) { if (narrow) d.open = false; });
    document.querySelectorAll(".facet-jump a").forEach(function (a) {
      a.addEventListener("click", function (event) {
        var target = document.getElementById(a.getAttribute("href").slice(1));
        if (!target) return;
        var group = target.closest("details");
        if (group) group.open = true;
        event.preventDefault();
        target.focus();
      });
    });
    document.querySelectorAll('a[href="#facets"]').forEach(function (a) {
      a.addEventListener("click", function () {
        var d = document.querySelector("details[data-close-narrow]");
        if (d) d.open = true;
      });
    });
    var heading = document.getElementById("rows-h");
    if (heading && /[?&](handlungsfeld|ziel|oe|zielgruppe|drucksache|sort|pro_seite)=/.test(location.search)) {
      heading.focus({preventScroll: false});
    }
  }

  function ready() { setupMenu(); setupCopy(); setupPrint(); setupFilters(); }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", ready); } else { ready(); }
})();
