// SPDX-License-Identifier: GPL-2.0-or-later
// merge_carbon_and_price: see include/ebb/gridsource.hpp.
#include <algorithm>

#include "ebb/gridsource.hpp"

namespace ebb {
namespace {

int uncertainty(Origin o) {
  switch (o) {
    case Origin::actual:
      return 0;
    case Origin::forecast:
      return 1;
    case Origin::extension:
      return 2;
  }
  return 2;
}

}  // namespace

SignalSeries merge_carbon_and_price(const SignalSeries& carbon, const SignalSeries& price) {
  std::vector<Slot> out;
  out.reserve(carbon.size() + price.size());
  const auto& prices = price.slots();
  std::size_t p = 0;  // first price slot that may overlap the current carbon slot
  for (const Slot& c : carbon.slots()) {
    while (p < prices.size() && prices[p].end <= c.start) ++p;
    TimePoint cursor = c.start;
    std::size_t q = p;
    while (cursor < c.end) {
      Slot piece = c;
      piece.start = cursor;
      piece.price = kNoPrice;
      if (q < prices.size() && prices[q].start <= cursor) {
        // Inside price slot q.
        piece.end = std::min(c.end, prices[q].end);
        piece.price = prices[q].price;
        if (uncertainty(prices[q].origin) > uncertainty(piece.origin))
          piece.origin = prices[q].origin;
        if (prices[q].end <= piece.end) ++q;
      } else {
        // A gap in the prices: up to the next price slot or the end of the carbon slot.
        piece.end = (q < prices.size()) ? std::min(c.end, prices[q].start) : c.end;
      }
      out.push_back(piece);
      cursor = piece.end;
    }
  }
  SignalSeries merged(std::move(out), carbon.source + "+" + price.source);
  merged.region = carbon.region;
  merged.kind = carbon.kind;
  merged.currency = price.currency;
  return merged;
}

}  // namespace ebb
