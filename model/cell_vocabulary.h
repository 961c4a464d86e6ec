// The vocabulary of a probe cell, defined once: what the oracle expected, what a probe
// observed, and how the cell ended, each as the word that results.json, saved cases and the
// reports use and as the one character of results.json's cell strings (`expectedCells`,
// `observedCells`; docs/results-format.md). The runner, the results model, every renderer and
// the HTML page's script take their words and characters from here.
#pragma once

#include <optional>
#include <string_view>

namespace npf {

// What the oracle expects of a cell: Skip when it does not judge it (SEMANTICS.md "Verdicts").
enum class Expected { Allow, Deny, Undefined, Skip };
// What one probe attempt saw.
enum class Observed {
  Connected,  // TCP handshake completed / UDP echo received
  Timeout,    // no answer within the deadline (what a dropping policy gives)
  Refused,    // RST or ICMP unreachable: the packet reached something that said no
  Error,      // the probe machinery failed (retried; never a discrepancy by itself)
  Skipped,    // the backend cannot make this probe (e.g. SCTP without kernel support)
};
// How a cell ended after every attempt.
enum class CellStatus {
  Pass,       // observed agrees with expected (late convergence included)
  Fail,       // a discrepancy
  Flaky,      // answered both ways
  Undefined,  // the oracle does not judge it
  Skipped,    // the oracle or the backend skips it
  Error,      // could not be probed
};

// Words: allow deny undefined skip | connected timeout refused error skipped |
// pass fail flaky undefined skipped error.
const char* toString(Expected e);
const char* toString(Observed o);
const char* toString(CellStatus s);
// Characters: . X ? - | c t r e - | p f k u s e.
char toSymbol(Expected e);
char toSymbol(Observed o);
char toSymbol(CellStatus s);

std::optional<Expected> expectedFromWord(std::string_view word);
std::optional<Observed> observedFromWord(std::string_view word);
std::optional<CellStatus> cellStatusFromWord(std::string_view word);
std::optional<Expected> expectedFromSymbol(char c);
std::optional<Observed> observedFromSymbol(char c);
std::optional<CellStatus> cellStatusFromSymbol(char c);

}  // namespace npf
