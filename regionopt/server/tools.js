// The server's tools on the map page (regionopt serve, docs/serve.md): lock, optimise the rest,
// progress, the proposal beside the plan on screen with its differences and price, accept,
// reject, undo, redo, cancel, the scenario's knobs, downloads and the saved plans. Present only
// when the server adds window.regionoptServer; a page opened from a file never runs this. Every
// name from data is set as text (textContent), never markup. The page API is
// window.regionopt.server: .state(), .lock(kind, code, other), .unlock(k), .optimise(),
// .cancel(), .accept(), .reject(), .undo(), .redo(), .price(k), .proposal().
(function (R, C) {
  "use strict";
  if (!C || !R) { return; }
  var api = C.api, client = sessionStorage.getItem("rg-client");
  if (!client) {
    client = Math.random().toString(36).slice(2) + Date.now().toString(36);
    sessionStorage.setItem("rg-client", client);
  }
  var S = {state: null, locks: [], knobs: {}, job: null, proposal: null, source: null,
           busy: false, prices: {}};
  var FIG = [["objective", "objective", 0], ["person_minutes", "person-minutes", 0],
             ["commuting_kept_share", "commuters kept (share)", 4],
             ["border_commuters", "border commuters", 0], ["max_minutes", "longest trip (min)", 2],
             ["regions", "regions", 0], ["criteria_population_passed", "≥ population floor", 0],
             ["criteria_self_containment_passed", "self-contained", 0],
             ["criteria_longest_trip_passed", "longest trip met", 0],
             ["criteria_mean_trip_passed", "mean trip met", 0],
             ["criteria_all_passed", "every criterion met", 0]];

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    if (cls) { e.className = cls; }
    return e;
  }
  function button(text, fn, id) {
    var b = el("button", text);
    b.type = "button";
    if (id) { b.id = id; }
    b.addEventListener("click", function () { fn(); });
    return b;
  }
  function num(v, d) {
    if (v === null || v === undefined) { return "–"; }
    return R.format ? R.format(v, d, document.documentElement.lang === "en" ? "en" : "nb")
      : Number(v).toFixed(d);
  }
  function signed(v, d) {
    if (v === null || v === undefined) { return "–"; }
    return (v > 0 ? "+" : "") + num(v, d);
  }
  function call(method, path, body) {
    var opts = {method: method, credentials: "same-origin",
                headers: {"X-Regionopt-Client": client}};
    if (body !== undefined) {
      opts.headers["Content-Type"] = "application/json";
      opts.body = JSON.stringify(body);
    }
    return fetch(api + path, opts).then(function (r) {
      return r.json().then(function (data) {
        if (!r.ok) { throw new Error(data.error || ("HTTP " + r.status)); }
        return data;
      });
    });
  }
  function say(text, bad) {
    S.line.textContent = text;
    S.line.classList.toggle("rg-sv-bad", !!bad);
  }
  function nameOf(code) {
    var m = S.state.municipalities.filter(function (x) { return x.code === code; })[0];
    return m ? m.name : code;
  }

  // ------------------------------------------------------------------ the panel
  function select(id) {
    var s = el("select");
    s.id = id;
    S.state.municipalities.slice().sort(function (a, b) { return a.name.localeCompare(b.name); })
      .forEach(function (m) {
        var o = el("option", m.name + " (" + m.code + ")");
        o.value = m.code;
        s.appendChild(o);
      });
    return s;
  }
  function build() {
    var box = el("section", null, "rg-serve");
    box.id = "rg-serve";
    box.appendChild(el("h2", "Optimiser"));
    S.line = el("div", "", "rg-sv-line");
    S.line.id = "rg-sv-line";
    S.line.setAttribute("role", "status");
    box.appendChild(S.line);
    var row = el("div", null, "rg-sv-row");
    S.pick = select("rg-sv-muni");
    row.appendChild(S.pick);
    row.appendChild(button("Lock to its core", function () { lock("municipality", S.pick.value); },
                           "rg-sv-lock"));
    row.appendChild(button("Lock its region", function () { lock("region", S.pick.value); },
                           "rg-sv-lock-region"));
    row.appendChild(button("Pin as core", function () { lock("core", S.pick.value); },
                           "rg-sv-pin"));
    box.appendChild(row);
    var row2 = el("div", null, "rg-sv-row");
    S.core = select("rg-sv-core");
    row2.appendChild(el("span", "with / apart from"));
    row2.appendChild(S.core);
    row2.appendChild(button("Lock with it", function () {
      lock("municipality", S.pick.value, S.core.value);
    }, "rg-sv-lock-with"));
    row2.appendChild(button("Keep apart", function () {
      lock("forbid", S.pick.value, S.core.value);
    }, "rg-sv-forbid"));
    box.appendChild(row2);
    S.lockList = el("ol", null, "rg-sv-locks");
    S.lockList.id = "rg-sv-locks";
    box.appendChild(S.lockList);
    box.appendChild(knobPanel());
    var act = el("div", null, "rg-sv-row");
    S.go = button("Optimise the rest", optimise, "rg-sv-optimise");
    S.stop = button("Cancel", cancel, "rg-sv-cancel");
    S.yes = button("Accept", accept, "rg-sv-accept");
    S.no = button("Reject", reject, "rg-sv-reject");
    [S.go, S.stop, S.yes, S.no, button("Undo", function () { step("undo"); }, "rg-sv-undo"),
     button("Redo", function () { step("redo"); }, "rg-sv-redo")]
      .forEach(function (b) { act.appendChild(b); });
    box.appendChild(act);
    S.progress = el("div", "", "rg-sv-progress");
    S.progress.id = "rg-sv-progress";
    box.appendChild(S.progress);
    S.table = el("table", null, "rg-sv-figures");
    S.table.id = "rg-sv-figures";
    box.appendChild(S.table);
    S.files = el("div", null, "rg-sv-files");
    box.appendChild(S.files);
    box.appendChild(el("h3", "Saved plans"));
    S.saves = el("ul", null, "rg-sv-saves");
    S.saves.id = "rg-sv-saves";
    box.appendChild(S.saves);
    var slot = document.getElementById("rg-editor");
    if (slot) { slot.insertBefore(box, slot.firstChild); } else { document.body.appendChild(box); }
  }
  function knobPanel() {
    var d = el("details", null, "rg-sv-knobs");
    d.appendChild(el("summary", "Scenario knobs"));
    C.knobs.forEach(function (k) {
      var lab = el("label", null, "rg-sv-knob"), input = el("input");
      input.type = "number";
      input.min = String(k.low);
      input.max = String(k.high);
      input.step = k.kind === "float" ? "any" : "1";
      input.placeholder = k.value === null ? "(none)" : String(k.value);
      input.setAttribute("data-key", k.key);
      input.title = k.help + " (" + k.low + "–" + k.high + ")";
      input.addEventListener("change", function () {
        if (input.value === "") { delete S.knobs[k.key]; } else { S.knobs[k.key] = Number(input.value); }
      });
      lab.appendChild(el("span", k.key));
      lab.appendChild(input);
      lab.appendChild(el("small", k.help));
      d.appendChild(lab);
    });
    return d;
  }

  // ------------------------------------------------------------------ locks
  function lockText(l) {
    if (l.kind === "municipality") {
      return nameOf(l.code) + " with " + nameOf(l.other || coreOf(l.code));
    }
    if (l.kind === "region") { return "the region of " + nameOf(l.code); }
    if (l.kind === "core") { return nameOf(l.code) + " a core"; }
    return nameOf(l.code) + " apart from " + nameOf(l.other);
  }
  function coreOf(code) { return S.state.cores[S.state.plan[code]]; }
  function lock(kind, code, other) {
    var l = {kind: kind, code: code};
    if (other) { l.other = other; } else if (kind === "municipality") { l.other = coreOf(code); }
    S.locks.push(l);
    drawLocks();
    say("locked: " + lockText(l));
  }
  function unlock(k) { S.locks.splice(k, 1); drawLocks(); }
  function drawLocks() {
    S.lockList.textContent = "";
    S.locks.forEach(function (l, k) {
      var li = el("li", lockText(l));
      if (S.prices[k] !== undefined) { li.appendChild(el("span", " · costs " + S.prices[k], "rg-sv-price")); }
      li.appendChild(button("×", function () { unlock(k); }));
      li.appendChild(button("price", function () { price(k); }));
      S.lockList.appendChild(li);
    });
  }

  // ------------------------------------------------------------------ solving
  function optimise() {
    if (S.busy) { return Promise.resolve(); }
    S.busy = true;
    S.prices = {};
    say("asking the optimiser…");
    return call("POST", "/solve", {locks: S.locks, knobs: S.knobs}).then(function (a) {
      S.job = a.job;
      say(a.ahead ? "queued, " + a.ahead + " ahead" : "solving…");
      return follow(a.job);
    }).then(function () {
      return call("GET", "/jobs/" + S.job);
    }).then(function (job) {
      S.busy = false;
      if (job.state !== "done") { say(job.state === "error" ? job.error : "cancelled", true); return; }
      S.proposal = job;
      show(job);
      say("proposal: " + job.status + (job.gap === null ? "" : ", gap " + num(100 * job.gap, 2) + " %") +
          ", " + num(job.server_seconds, 2) + " s; accept or reject");
    }).catch(function (e) { S.busy = false; say(e.message, true); });
  }
  function follow(job) {
    return new Promise(function (done) {
      var src = new EventSource(api + "/jobs/" + job + "/events");
      S.source = src;
      function end() { src.close(); S.source = null; done(); }
      src.addEventListener("status", function (e) { S.progress.textContent = JSON.parse(e.data); });
      src.addEventListener("progress", function (e) {
        var p = JSON.parse(e.data);
        S.progress.textContent = "solver: " + (p.gap === undefined || p.gap === null ? "" :
          "gap " + num(100 * p.gap, 2) + " %, ") + num(p.solver_seconds, 1) + " s";
      });
      ["done", "error", "cancelled"].forEach(function (k) { src.addEventListener(k, end); });
      src.onerror = function () { if (src.readyState === 2) { end(); } };
    });
  }
  function cancel() {
    if (!S.job) { return Promise.resolve(); }
    return call("POST", "/jobs/" + S.job + "/cancel").then(function () { say("cancelled"); });
  }
  function price(k) {
    if (!S.proposal) { say("optimise first: a lock is priced against its re-solve", true); return Promise.resolve(); }
    say("pricing lock " + (k + 1) + "…");
    return call("POST", "/jobs/" + S.proposal.job + "/price", {lock: k}).then(function (a) {
      return follow(a.job).then(function () { return call("GET", "/jobs/" + a.job); });
    }).then(function (j) {
      if (!j.price) { say(j.error || "not priced", true); return; }
      S.prices[k] = signed(j.price.objective, 0);
      drawLocks();
      say("lock " + (k + 1) + " costs " + S.prices[k] + " in the objective");
    }).catch(function (e) { say(e.message, true); });
  }

  // ------------------------------------------------------------------ the proposal
  function show(job) {
    var ed = R.editorState;
    if (ed && ed.panes.length === 1) {
      var P = ed.P, pane = ed.pane();
      Object.keys(job.cores).forEach(function (r) {
        if (!(r in pane.colours)) { ed.colour(r, P.index[job.cores[r]]); }
      });
      ed.change(function (plan) {
        plan.region = P.codes.map(function (c) { return job.plan[c]; });
        plan.cores = {};
        Object.keys(job.cores).forEach(function (r) { plan.cores[r] = P.index[job.cores[r]]; });
      });
    }
    figures(job);
    S.files.textContent = "";
    [["scenario.toml", "scenario (TOML)"], ["plan.csv", "plan (CSV)"]].forEach(function (f) {
      var a = el("a", "download " + f[1]);
      a.href = api + "/jobs/" + job.job + "/" + f[0];
      a.setAttribute("download", f[0]);
      a.className = "rg-sv-download";
      S.files.appendChild(a);
    });
  }
  function figures(job) {
    S.table.textContent = "";
    var head = el("tr");
    ["", "on screen", "proposal", "change", "price"].forEach(function (t) { head.appendChild(el("th", t)); });
    S.table.appendChild(head);
    FIG.forEach(function (f) {
      var tr = el("tr");
      tr.appendChild(el("th", f[1]));
      tr.appendChild(el("td", num(S.state.figures[f[0]], f[2])));
      tr.appendChild(el("td", job ? num(job.figures[f[0]], f[2]) : ""));
      tr.appendChild(el("td", job ? signed(job.change[f[0]], f[2]) : ""));
      var pr = job ? job.price : S.state.price;
      var pending = job ? job.price_pending : S.state.price_pending;
      tr.appendChild(el("td", pr ? signed(pr[f[0]], f[2]) : pending ? "pending" : "–"));
      S.table.appendChild(tr);
    });
  }
  function accept() {
    if (!S.proposal) { say("nothing to accept", true); return Promise.resolve(); }
    return call("POST", "/jobs/" + S.proposal.job + "/accept").then(function (a) {
      say("saved as " + a.save);
      sessionStorage.setItem("rg-locks", JSON.stringify(S.locks));
      location.reload();
    }).catch(function (e) { say(e.message, true); });
  }
  function reject() {
    S.proposal = null;
    if (R.reset) { R.reset(); }
    figures(null);
    S.files.textContent = "";
    say("proposal rejected");
  }
  function step(which) {
    return call("POST", "/" + which).then(function (a) {
      if (a.moved) { location.reload(); } else { say("nothing to " + which); }
    }).catch(function (e) { say(e.message, true); });
  }
  function drawSaves() {
    S.saves.textContent = "";
    S.state.saves.slice().reverse().forEach(function (s) {
      var li = el("li", s.number + " · " + (s.saved_at || "") + " · " + num(s.objective, 0));
      ["scenario.toml", "plan.csv"].forEach(function (f) {
        var a = el("a", f);
        a.href = api + "/saves/" + s.number + "/" + f;
        a.setAttribute("download", "save-" + s.number + "-" + f);
        li.appendChild(document.createTextNode(" "));
        li.appendChild(a);
      });
      S.saves.appendChild(li);
    });
  }

  // A click on a municipality in the map picks it in the panel (the editor keeps its own).
  function pickOnClick() {
    var ed = R.editorState;
    if (!ed) { return; }
    ed.panes.forEach(function (pane) {
      pane.munis.on("click", function (e) {
        var code = e.layer.feature.id;
        if (S.pick.value === code) { S.core.value = coreOf(code); return; }
        S.pick.value = code;
        say(nameOf(code) + " picked; lock it, or click again to pick its core");
      });
    });
  }

  function start() {
    return call("GET", "/state").then(function (state) {
      S.state = state;
      var kept = sessionStorage.getItem("rg-locks");
      S.locks = kept ? JSON.parse(kept) : state.locks.map(function (l) {
        return {kind: l.kind, code: l.code, other: l.other || undefined};
      });
      build();
      pickOnClick();
      drawLocks();
      figures(null);
      drawSaves();
      say(state.save ? "on screen: save " + state.save : state.provisional ?
          "on screen: a first plan (construction heuristic); the proven optimum is being solved" :
          "on screen: the optimum without locks");
      document.body.classList.add("rg-served");
      if (state.optimum_job) { background(state.optimum_job); }
    }).catch(function (e) { document.body.appendChild(el("p", "server: " + e.message)); });
  }
  // The unlocked optimum solved in the background when the server started: its progress in
  // its own line; when it ends the page shows it (unless a proposal is open).
  function background(job) {
    var line = el("div", "optimum without locks: solving…", "rg-sv-progress");
    line.id = "rg-sv-optimum";
    S.progress.parentNode.insertBefore(line, S.progress);
    var src = new EventSource(api + "/jobs/" + job + "/events");
    src.addEventListener("progress", function (e) {
      var p = JSON.parse(e.data);
      line.textContent = "optimum without locks: " + (p.gap === undefined || p.gap === null ? "" :
        "gap " + num(100 * p.gap, 2) + " %, ") + num(p.solver_seconds, 1) + " s";
    });
    src.addEventListener("done", function () {
      src.close();
      if (S.proposal || S.busy) {
        line.textContent = "optimum without locks: proven; reload to see it and its prices";
        return;
      }
      location.reload();
    });
    src.addEventListener("error", function (e) {
      if (e.data) { line.textContent = "optimum without locks: " + JSON.parse(e.data); }
      src.close();
    });
  }
  var ready = start();
  R.server = {state: function () { return S.state; }, lock: lock, unlock: unlock,
              optimise: optimise, cancel: cancel, accept: accept, reject: reject,
              undo: function () { return step("undo"); }, redo: function () { return step("redo"); },
              price: price, proposal: function () { return S.proposal; },
              locks: function () { return S.locks.slice(); }, ready: ready};
})(window.regionopt, window.regionoptServer);
