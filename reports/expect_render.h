// Renderings of an expected matrix (`netpolfuzz expect`): truth tables (text, Markdown), the
// JSON contract of DESIGN.md, and a one-line summary. Output is streamed so a 100-million-cell
// matrix needs no per-cell objects.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "model/probe.h"
#include "model/profile.h"
#include "oracle/matrix.h"

namespace npf {

// One table per port/protocol (rows: sources; columns: destinations), then a legend:
// `.` allow, `X` deny, `?` undefined, `-` not probed (no such cell, or it cannot be made).
void renderExpectText(std::ostream& out, const ProbeSet& probes, const Matrix& m, const Profile& p);
void renderExpectMarkdown(std::ostream& out, const ProbeSet& probes, const Matrix& m,
                          const Profile& p);

// The expected matrix of one state of a case (the initial one, or after a step).
struct ExpectedState {
  std::string label;  // "initial state", "after step 1: delete-policy x/p1"
  ProbeSet probes;
  Matrix matrix;
};

// {"schema":"netpolfuzz.expect/v1","profile":{...},"cells":[{"from","to","port","protocol",
// "verdict"}, ...]} in probe-set order; cells that cannot be made are omitted. With more than
// one state (a case with steps), every cell also has "step": 0 for the initial state, N after
// step N.
void renderExpectJson(std::ostream& out, const std::vector<ExpectedState>& states,
                      const Profile& p);
void renderExpectJson(std::ostream& out, const ProbeSet& probes, const Matrix& m, const Profile& p);

struct VerdictCounts {
  size_t cells = 0, allow = 0, deny = 0, undefined = 0, skipped = 0;
};
VerdictCounts countVerdicts(const Matrix& m);
// "cells=N allow=A deny=D undefined=U"
void renderExpectSummary(std::ostream& out, const Matrix& m);

}  // namespace npf
