// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  // Close open <details> menus on Escape and on a click outside them.
  function closeMenus(except) {
    document.querySelectorAll("details.menu[open]").forEach(function (d) {
      if (d !== except) d.removeAttribute("open");
    });
  }
  document.addEventListener("click", function (e) {
    closeMenus(e.target.closest("details.menu"));
  });
  document.addEventListener("keydown", function (e) {
    if (e.key !== "Escape") return;
    var open = document.querySelector("details.menu[open]");
    if (open) {
      open.removeAttribute("open");
      var s = open.querySelector("summary");
      if (s) s.focus();
    }
  });

  // Menus with role="menu" follow the keyboard pattern screen-reader users
  // expect of them (WAI-ARIA menu button): ArrowDown on the button opens the
  // menu at its first item, ArrowUp at its last; inside, the arrows move
  // between items and wrap, Home and End jump. Tab leaves as usual.
  function menuItems(d) {
    return Array.prototype.slice.call(d.querySelectorAll('[role="menu"] [role="menuitem"]')).filter(function (el) {
      return el.tagName === "A" || el.tagName === "BUTTON";
    });
  }
  document.addEventListener("keydown", function (e) {
    var d = e.target.closest && e.target.closest("details.menu");
    if (!d || !d.querySelector('[role="menu"]')) return;
    var items = menuItems(d);
    if (!items.length) return;
    var onButton = e.target.tagName === "SUMMARY";
    var i = items.indexOf(e.target);
    var next = -1;
    if (e.key === "ArrowDown") next = onButton ? 0 : (i + 1) % items.length;
    else if (e.key === "ArrowUp") next = onButton ? items.length - 1 : (i - 1 + items.length) % items.length;
    else if (e.key === "Home" && !onButton) next = 0;
    else if (e.key === "End" && !onButton) next = items.length - 1;
    if (next < 0) return;
    e.preventDefault();
    if (!d.open) d.setAttribute("open", "");
    items[next].focus();
  });

  // Filter panels (details[data-filter-panel]) are rendered open, so that
  // they work without this file; on a small screen they fold behind their
  // "Filter" button unless a filter is set, and they open again when the
  // screen grows (where the button is hidden).
  var small = window.matchMedia("(max-width: 640px)");
  function fitFilterPanels() {
    document.querySelectorAll("details[data-filter-panel]").forEach(function (d) {
      if (!small.matches) d.open = true;
      else if (!d.hasAttribute("data-filtered") && !d.contains(document.activeElement)) d.open = false;
    });
  }
  fitFilterPanels();
  small.addEventListener("change", fitFilterPanels);

  // The sign-in page's demo accounts (development only) fill in the form.
  document.addEventListener("click", function (e) {
    var b = e.target.closest && e.target.closest("button[data-fill-email]");
    if (!b) return;
    var email = document.querySelector('input[name="email"]');
    var password = document.querySelector('input[name="password"]');
    if (!email || !password) return;
    email.value = b.getAttribute("data-fill-email");
    password.value = b.getAttribute("data-fill-password");
    password.focus();
  });

  // Forms that ask before doing something that cannot be undone carry
  // data-confirm="question".
  document.addEventListener("submit", function (e) {
    var q = e.target.getAttribute && e.target.getAttribute("data-confirm");
    if (q && !window.confirm(q)) e.preventDefault();
  });

  // "Select all" checkboxes: data-select-all="name-of-checkboxes".
  document.addEventListener("change", function (e) {
    var name = e.target.getAttribute && e.target.getAttribute("data-select-all");
    if (!name) return;
    document.querySelectorAll('input[type=checkbox][name="' + name + '"]').forEach(function (c) {
      c.checked = e.target.checked;
    });
  });

  // Filter forms (data-filters) fetch their results with htmx and push the
  // URL. They leave out empty fields, so that the URL is as short as the
  // filters chosen (the server reads a missing field and an empty one
  // alike).
  document.addEventListener("htmx:configRequest", function (e) {
    var elt = e.detail.elt;
    if (e.detail.verb !== "get" || !elt.closest || !elt.closest("form[data-filters]")) return;
    var params = e.detail.parameters;
    Object.keys(params).forEach(function (k) {
      if (params[k] === "") delete params[k];
    });
  });

  // A receipt over the size limit is refused before it is sent: the server
  // refuses it too, but only after the browser has uploaded it all, and a
  // browser cut off mid-upload shows "connection reset" instead of our page.
  document.addEventListener("change", function (e) {
    var input = e.target;
    var max = input.getAttribute && input.getAttribute("data-max-bytes");
    if (!max || !input.files || !input.files[0]) return;
    var tooLarge = input.files[0].size > Number(max);
    input.setCustomValidity(tooLarge ? input.getAttribute("data-too-large") : "");
    if (tooLarge) input.reportValidity();
  });

  // htmx sends the CSRF token with every request it makes.
  document.addEventListener("htmx:configRequest", function (e) {
    var m = document.querySelector('meta[name="csrf-token"]');
    if (m) e.detail.headers["X-CSRF-Token"] = m.content;
  });
})();
