// SPDX-License-Identifier: GPL-2.0-or-later
// Stand-in for gridsources/ (target ebbgridsources) while that library is absent from the tree:
// only the forecast-file source, with the same contract as include/ebb/gridsource.hpp,
// so ebbd builds and its tests run. daemon.cmake compiles this file only when
// gridsources/sources.cmake does not exist.
#include <algorithm>
#include <set>

#include "ebb/error.hpp"
#include "ebb/forecast_file.hpp"
#include "ebb/gridsource.hpp"

namespace ebb {
namespace {

class FileSource : public GridSource {
 public:
  FileSource(std::string path, bool carbon) : path_(std::move(path)), carbon_(carbon) {}
  std::string name() const override { return "file"; }
  bool gives_carbon() const override { return carbon_; }
  bool gives_price() const override { return !carbon_; }
  SignalSeries fetch(TimePoint now) override {
    try {
      return shape(read_forecast_file(path_));
    } catch (const InputError& e) {
      (void)now;
      throw SourceError("file", e.what(), 0, true);
    }
  }
  SignalSeries parse(std::string_view body, TimePoint) const override {
    try {
      return shape(parse_forecast(body, path_));
    } catch (const InputError& e) {
      throw SourceError("file", e.what());
    }
  }

 private:
  // A carbon source leaves prices unknown; a price source zeroes carbon (gridsource.hpp).
  SignalSeries shape(const SignalSeries& in) const {
    std::vector<Slot> slots = in.slots();
    for (Slot& s : slots) {
      if (carbon_)
        s.price = kNoPrice;
      else
        s.carbon = 0;
    }
    SignalSeries out(std::move(slots), "file");
    out.region = in.region;
    out.currency = in.currency;
    out.kind = in.kind;
    return out;
  }
  std::string path_;
  bool carbon_;
};

std::unique_ptr<GridSource> make_file_source(const std::map<std::string, std::string>& settings,
                                             const char* source_key, const char* file_key,
                                             bool carbon) {
  auto source = settings.find(source_key);
  if (source == settings.end())
    throw SourceError("config", std::string(source_key) + " is missing");
  if (source->second != "file") {
    throw SourceError(source->second, "this build of ebbd has no provider adapters; only '" +
                                          std::string(source_key) + "=file' works");
  }
  auto file = settings.find(file_key);
  if (file == settings.end()) throw SourceError("file", std::string(file_key) + " is missing");
  return std::make_unique<FileSource>(file->second, carbon);
}

int uncertainty(Origin o) { return o == Origin::actual ? 0 : o == Origin::forecast ? 1 : 2; }

}  // namespace

SourceError::SourceError(std::string provider_name, const std::string& message, int status,
                         bool can_retry)
    : std::runtime_error(provider_name + ": " + message),
      provider(std::move(provider_name)),
      http_status(status),
      retryable(can_retry) {}

std::unique_ptr<GridSource> make_carbon_source(const std::map<std::string, std::string>& settings,
                                               const FetchOptions&) {
  return make_file_source(settings, "carbonsource", "carbonfile", true);
}

std::unique_ptr<GridSource> make_price_source(const std::map<std::string, std::string>& settings,
                                              const FetchOptions&) {
  return make_file_source(settings, "pricesource", "pricefile", false);
}

SignalSeries merge_carbon_and_price(const SignalSeries& carbon, const SignalSeries& price) {
  std::vector<Slot> out;
  const auto& prices = price.slots();
  for (const Slot& c : carbon.slots()) {
    std::set<TimePoint> cuts{c.start, c.end};
    for (const Slot& p : prices) {
      if (p.start > c.start && p.start < c.end) cuts.insert(p.start);
      if (p.end > c.start && p.end < c.end) cuts.insert(p.end);
    }
    for (auto it = cuts.begin(); std::next(it) != cuts.end(); ++it) {
      Slot piece = c;
      piece.start = *it;
      piece.end = *std::next(it);
      piece.price = kNoPrice;
      if (const Slot* p = price.empty() ? nullptr : price.at(piece.start)) {
        piece.price = p->price;
        if (uncertainty(p->origin) > uncertainty(piece.origin)) piece.origin = p->origin;
      }
      out.push_back(piece);
    }
  }
  SignalSeries merged(std::move(out), carbon.source + "+" + price.source);
  merged.region = carbon.region;
  merged.kind = carbon.kind;
  merged.currency = price.currency;
  return merged;
}

}  // namespace ebb
