#include "model/cell_vocabulary.h"

#include <array>

namespace npf {
namespace {

template <typename E>
struct Entry {
  E value;
  const char* word;
  char symbol;
};

// In enum order, so that the value indexes its entry.
constexpr std::array<Entry<Expected>, 4> kExpected{{
    {Expected::Allow, "allow", '.'},
    {Expected::Deny, "deny", 'X'},
    {Expected::Undefined, "undefined", '?'},
    {Expected::Skip, "skip", '-'},
}};
constexpr std::array<Entry<Observed>, 5> kObserved{{
    {Observed::Connected, "connected", 'c'},
    {Observed::Timeout, "timeout", 't'},
    {Observed::Refused, "refused", 'r'},
    {Observed::Error, "error", 'e'},
    {Observed::Skipped, "skipped", '-'},
}};
constexpr std::array<Entry<CellStatus>, 6> kStatus{{
    {CellStatus::Pass, "pass", 'p'},
    {CellStatus::Fail, "fail", 'f'},
    {CellStatus::Flaky, "flaky", 'k'},
    {CellStatus::Undefined, "undefined", 'u'},
    {CellStatus::Skipped, "skipped", 's'},
    {CellStatus::Error, "error", 'e'},
}};

template <typename E, size_t N>
constexpr bool inEnumOrder(const std::array<Entry<E>, N>& table) {
  for (size_t i = 0; i < N; ++i)
    if (size_t(table[i].value) != i) return false;
  return true;
}
static_assert(inEnumOrder(kExpected) && inEnumOrder(kObserved) && inEnumOrder(kStatus));

template <typename E, size_t N>
const Entry<E>& entry(const std::array<Entry<E>, N>& table, E value) {
  size_t i = size_t(value);
  return table[i < N ? i : 0];
}

template <typename E, size_t N>
std::optional<E> fromWord(const std::array<Entry<E>, N>& table, std::string_view word) {
  for (const auto& e : table)
    if (word == e.word) return e.value;
  return std::nullopt;
}

template <typename E, size_t N>
std::optional<E> fromSymbol(const std::array<Entry<E>, N>& table, char c) {
  for (const auto& e : table)
    if (c == e.symbol) return e.value;
  return std::nullopt;
}

}  // namespace

const char* toString(Expected e) { return entry(kExpected, e).word; }
const char* toString(Observed o) { return entry(kObserved, o).word; }
const char* toString(CellStatus s) { return entry(kStatus, s).word; }
char toSymbol(Expected e) { return entry(kExpected, e).symbol; }
char toSymbol(Observed o) { return entry(kObserved, o).symbol; }
char toSymbol(CellStatus s) { return entry(kStatus, s).symbol; }

std::optional<Expected> expectedFromWord(std::string_view w) { return fromWord(kExpected, w); }
std::optional<Observed> observedFromWord(std::string_view w) { return fromWord(kObserved, w); }
std::optional<CellStatus> cellStatusFromWord(std::string_view w) { return fromWord(kStatus, w); }
std::optional<Expected> expectedFromSymbol(char c) { return fromSymbol(kExpected, c); }
std::optional<Observed> observedFromSymbol(char c) { return fromSymbol(kObserved, c); }
std::optional<CellStatus> cellStatusFromSymbol(char c) { return fromSymbol(kStatus, c); }

}  // namespace npf
