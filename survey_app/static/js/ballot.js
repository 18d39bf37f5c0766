/* Improves the ballot page; the page works fully without it.
 * Progress "已完成 12/30，还有 45 项未评价" counting down to "已全部评价", a jump to the
 * first unanswered item, a running count of the capped option per dimension ("优秀 5/6")
 * and the cap checked before submitting, conditional questions shown and the questions
 * renumbered as answers change, and a draft kept in this browser so a
 * reload, a lost signal or a "请重新提交" page (503) loses nothing: the draft is removed
 * only by the thank-you page (data-clear-draft). Plain ES5 for old WeChat browsers. */
(function () {
  "use strict";
  var PREFIX = "pingyi-draft:";
  var PENDING = "pingyi-pending";

  function store(kind) {
    try { var s = window[kind]; s.setItem("pingyi-t", "1"); s.removeItem("pingyi-t"); return s; }
    catch (e) { return null; }
  }
  var local = store("localStorage");
  var tab = store("sessionStorage");

  function each(list, fn) { Array.prototype.forEach.call(list, fn); }

  /* Messages come translated from the page (data-i18n); {name} marks a value. */
  var messages = {};
  function say(key, values) {
    return (messages[key] || key).replace(/\{(\w+)\}/g, function (_m, name) { return values[name]; });
  }

  function clearSubmittedDraft() {
    var key = tab && tab.getItem(PENDING);
    if (key && local) { local.removeItem(key); }
    if (tab) { tab.removeItem(PENDING); }
  }

  function setup(form) {
    try { messages = JSON.parse(form.getAttribute("data-i18n") || "{}"); } catch (e) { messages = {}; }
    var draftKey = PREFIX + form.getAttribute("action");
    var progress = document.getElementById("progress");
    var capsSaid = document.getElementById("caps");
    var hint = document.getElementById("hint");
    var top = form.getAttribute("data-top");
    var allowed = +form.getAttribute("data-top-allowed");
    var topLabel = form.getAttribute("data-top-label");
    var button = form.querySelector(".submit");
    var jump = document.createElement("button");
    var cards = form.querySelectorAll(".subj");
    var total = cards.length;
    var saveTimer = null;
    form.noValidate = true;  /* our own checks speak plainer Chinese and scroll */
    jump.type = "button";
    jump.className = "jump";
    jump.textContent = say("jump", {});
    jump.hidden = true;
    button.parentNode.insertBefore(jump, button);

    function answered(dim) {
      var inputs = dim.querySelectorAll("input, textarea");
      for (var i = 0; i < inputs.length; i++) {
        var el = inputs[i];
        if (el.type === "hidden") { continue; }  /* the challenge's token */
        if (el.type === "radio" || el.type === "checkbox" ? el.checked : el.value.trim() !== "") { return true; }
      }
      return false;
    }

    /* Everything still to answer, in page order: ratings, the name, required questions
     * that apply (hidden ones are not asked, as the server does not ask them). */
    function missingItems() {
      var items = [];
      each(form.querySelectorAll(".dim, .card.q, .q[data-req]"), function (item) {
        if (item.classList.contains("off") || answered(item)) { return; }
        items.push(item);
      });
      return items;
    }

    function firstMissing() {
      var marked = form.querySelector(".bad");  /* a problem the server pointed out */
      return marked || missingItems()[0] || null;
    }

    function countMissing() { return missingItems().length; }

    /* Show the questions that apply, in order (a question under a hidden one does not
     * apply either, as ballot_rules.is_shown decides), and number the shown ones. */
    function applyConditions() {
      var number = 0;
      each(form.querySelectorAll(".qs .q"), function (q) {
        var on = true;
        if (q.hasAttribute("data-if")) {
          var wanted = JSON.parse(q.getAttribute("data-if-values") || "[]");
          var parent = document.getElementById(q.getAttribute("data-if"));
          on = false;
          if (parent && !parent.classList.contains("off")) {
            each(parent.querySelectorAll("input:checked"), function (el) {
              if (wanted.indexOf(el.value) >= 0) { on = true; }
            });
          }
        }
        q.classList.toggle("off", !on);
        var label = q.querySelector(".qn");
        if (label) { label.textContent = on ? (++number) + ". " : ""; }
      });
    }

    /* Dimension id → its rows' count labels ("优秀 5/6"), one per subject card. */
    var capLabels = {};
    function dimensionOf(name) { return name.split("-")[2]; }
    function addCapLabels() {
      if (!top) { return; }
      each(form.querySelectorAll(".dim"), function (dim) {
        var label = document.createElement("span");
        var id = dimensionOf(dim.getAttribute("data-key"));
        label.className = "capn";
        label.setAttribute("aria-hidden", "true");  /* #caps says it, once */
        dim.querySelector(".dn").appendChild(label);
        (capLabels[id] = capLabels[id] || []).push(label);
      });
    }

    function topCounts() {
      var counts = {};
      if (!top) { return counts; }
      each(form.querySelectorAll(".dim input[value='" + top + "']:checked"), function (el) {
        var id = dimensionOf(el.name);
        counts[id] = (counts[id] || 0) + 1;
      });
      return counts;
    }

    function showCapCounts(counts) {
      Object.keys(capLabels).forEach(function (id) {
        var chosen = counts[id] || 0;
        each(capLabels[id], function (label) {
          label.textContent = topLabel + " " + chosen + "/" + allowed;
          label.className = "capn" + (chosen > allowed ? " over" : chosen === allowed ? " full" : "");
        });
        if (chosen <= allowed) {  /* the server's cap marks are settled */
          each(form.querySelectorAll(".over[data-key$='-" + id + "']"), function (dim) {
            dim.classList.remove("bad", "over");
            each(dim.querySelectorAll(".err"), function (message) { message.hidden = true; });
          });
        }
      });
    }

    function refresh() {
      var done = 0;
      each(cards, function (card) {
        var complete = true;
        each(card.querySelectorAll(".dim"), function (d) { if (!answered(d)) { complete = false; } });
        card.classList.toggle("done", complete);
        if (complete) { done++; }
      });
      applyConditions();
      var missing = countMissing();
      progress.textContent = missing ? say("done", { done: done, total: total, n: missing }) : say("allDone", {});
      jump.hidden = !missing && !form.querySelector(".bad");
      var counts = topCounts();
      showCapCounts(counts);
      return counts;
    }

    /* After a tap in a capped dimension, say its count once (politely) for screen readers. */
    function sayCapCount(target, counts) {
      if (!top || !target.name || target.type !== "radio" || !/^r-/.test(target.name)) { return; }
      var id = dimensionOf(target.name);
      var name = target.closest(".dim").querySelector(".dn span").textContent;
      capsSaid.textContent = say("capSay", { dimension: name, top: topLabel, chosen: counts[id] || 0, allowed: allowed });
    }

    var highlighted = null;
    function show(message, target) {
      hint.textContent = message;
      hint.hidden = !message;
      if (highlighted) { highlighted.classList.remove("need"); }
      highlighted = target;
      if (target) {
        target.classList.add("need");
        target.scrollIntoView({ block: "center" });
        var input = target.querySelector("input, textarea") || target;
        if (input.focus) { input.focus({ preventScroll: true }); }
      }
    }

    function capProblem() {
      var counts = topCounts();
      for (var dim in counts) {
        if (counts[dim] > allowed) {
          var first = form.querySelector(".dim input[value='" + top + "']:checked[name$='-" + dim + "']");
          var label = first.closest(".dim").querySelector(".dn span").textContent;
          return { message: say("cap", { dimension: label, top: topLabel,
            allowed: allowed, chosen: counts[dim] }), target: first.closest(".dim") };
        }
      }
      return null;
    }

    function saveDraft() {
      if (!local) { return; }
      var data = {};
      each(form.elements, function (el) {
        if (!el.name || !/^(r-|q-|name$)/.test(el.name)) { return; }
        if ((el.type === "radio" || el.type === "checkbox") && !el.checked) { return; }
        (data[el.name] = data[el.name] || []).push(el.value);
      });
      try { local.setItem(draftKey, JSON.stringify(data)); } catch (e) { /* storage full: no draft */ }
    }

    function restoreDraft() {
      var raw = local && local.getItem(draftKey);
      if (!raw || form.querySelector("input:checked")) { return; }  /* the server's values win */
      var data;
      try { data = JSON.parse(raw); } catch (e) { return; }
      each(form.elements, function (el) {
        var saved = data[el.name];
        if (!saved) { return; }
        if (el.type === "radio" || el.type === "checkbox") { el.checked = saved.indexOf(el.value) >= 0; }
        else if (el.type !== "hidden") { el.value = saved[0]; }
      });
      show(say("restored", {}), null);
    }

    form.addEventListener("change", function (event) {
      var fixed = event.target.closest(".bad");
      if (fixed) {
        fixed.classList.remove("bad");
        var message = fixed.querySelector(".err");
        if (message) { message.hidden = true; }
      }
      if (highlighted && highlighted.contains(event.target)) { highlighted.classList.remove("need"); }
      sayCapCount(event.target, refresh());
      /* A hint answers the last tap on 提交; the banner now carries the count, so keep
       * the hint only while a cap problem it names is still there. */
      var cap = capProblem();
      if (!hint.hidden) { show(cap ? cap.message : "", null); }
      saveDraft();
    });
    form.addEventListener("input", function () {
      clearTimeout(saveTimer);
      saveTimer = setTimeout(saveDraft, 400);
    });
    jump.addEventListener("click", function () {
      var missing = firstMissing();
      if (missing) {
        show(missing.classList.contains("bad") ? say("fix", {}) : say("missing", { n: countMissing() }), missing);
      }
    });
    form.addEventListener("submit", function (event) {
      var missing = countMissing() ? firstMissing() : null;
      var cap = capProblem();
      if (missing || cap) {
        event.preventDefault();
        if (missing) { show(say("missingJump", { n: countMissing() }), missing); }
        else { show(cap.message, cap.target); }
        return;
      }
      saveDraft();
      if (tab) { tab.setItem(PENDING, draftKey); }
      /* A second tap would be harmless (same idempotency key), but say what is happening. */
      setTimeout(function () { button.disabled = true; button.textContent = say("sending", {}); }, 0);
      setTimeout(function () { button.disabled = false; button.textContent = say("resend", {}); }, 20000);
    });
    /* Back from a "请重新提交" page (the browser's page cache keeps the disabled button):
     * the answers are still here, so offer to send them again at once. */
    window.addEventListener("pageshow", function (event) {
      if (event.persisted && button.disabled) { button.disabled = false; button.textContent = say("resend", {}); }
    });
    /* The bar sticks to the bottom unless it would cover more than a third of the screen. */
    var bar = button.parentNode;
    function fitBar() {
      bar.classList.remove("flat");
      bar.classList.toggle("flat", bar.offsetHeight > window.innerHeight / 3);
    }
    window.addEventListener("resize", fitBar);
    addCapLabels();
    restoreDraft();
    refresh();
    fitBar();
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (document.body.hasAttribute("data-clear-draft")) { clearSubmittedDraft(); }
    var form = document.getElementById("ballot");
    if (form) { setup(form); }
  });
})();
