// The exercise history (SPEC §4.1 view 5): each attempt of a user at one exercise, with its
// figures and the mastery after it, replayed from the attempts in SPEC order.
#include <algorithm>
#include <tuple>

#include "metrics/account_views.h"

namespace cohort::metrics {

std::vector<HistoryRow> HistoryOf(const CourseState& c, std::string_view exercise,
                                  const std::vector<domain::Attempt>& attempts) {
  const domain::CourseSettings& s = c.shape.settings;
  std::vector<const domain::Attempt*> mine;
  for (const domain::Attempt& at : attempts) {
    if (at.exercise == exercise) mine.push_back(&at);
  }
  // Replay the cell in SPEC order, noting the mastery after each attempt's last response.
  struct Step {
    OrderKey key;
    std::size_t attempt;
    const domain::Response* response;
  };
  std::vector<Step> steps;
  std::vector<std::size_t> remaining(mine.size());
  for (std::size_t i = 0; i < mine.size(); ++i) {
    remaining[i] = mine[i]->responses.size();
    for (std::size_t r = 0; r < mine[i]->responses.size(); ++r) {
      steps.push_back({{mine[i]->responses[r].answered_at.ms, mine[i]->started_at.ms, mine[i]->id,
                        static_cast<std::uint32_t>(r)},
                       i,
                       &mine[i]->responses[r]});
    }
  }
  std::sort(steps.begin(), steps.end(), [](const Step& x, const Step& y) { return x.key < y.key; });
  std::vector<double> after(mine.size(), 0.0);
  std::vector<double> after_prefix{0.0};  // the mastery after the first k responses
  MasteryState m;
  for (const Step& step : steps) {
    m.Apply(CreditOf(step.response->correct, step.response->hints), s);
    after_prefix.push_back(m.Value(s));
    if (--remaining[step.attempt] == 0) after[step.attempt] = m.Value(s);
  }
  // An attempt without responses shows the mastery as it stood at its start: after the responses
  // that sort before one answered at that start (not the previous row's, whose responses may
  // have been answered later, in SPEC order).
  for (std::size_t i = 0; i < mine.size(); ++i) {
    if (!mine[i]->responses.empty()) continue;
    const OrderKey start{mine[i]->started_at.ms, mine[i]->started_at.ms, mine[i]->id, 0};
    const auto first_after =
        std::lower_bound(steps.begin(), steps.end(), start,
                         [](const Step& step, const OrderKey& key) { return step.key < key; });
    after[i] = after_prefix[static_cast<std::size_t>(first_after - steps.begin())];
  }
  std::vector<std::size_t> order(mine.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](std::size_t x, std::size_t y) {
    return std::tie(mine[x]->started_at, mine[x]->id) < std::tie(mine[y]->started_at, mine[y]->id);
  });
  std::vector<HistoryRow> rows;
  for (std::size_t i : order) {
    const domain::Attempt& at = *mine[i];
    HistoryRow row;
    row.attempt = at.id;
    row.started_at = at.started_at;
    std::int64_t duration = 0;
    if (at.finished_at) {
      duration = at.finished_at->ms - at.started_at.ms;
    } else {
      for (const domain::Response& r : at.responses) duration += r.time_ms;
    }
    row.duration_ms = std::min<std::int64_t>(duration, std::int64_t{s.max_attempt_seconds} * 1000);
    for (const domain::Response& r : at.responses) {
      ++row.responses;
      if (r.correct) ++row.correct;
      row.hints += r.hints;
      std::int64_t pts =
          r.points
              ? *r.points
              : (!r.correct ? 0
                            : (r.hints == 0 ? s.points_per_question : s.points_per_question / 2));
      row.points += pts;
      row.detail.push_back({r.question, r.correct, r.hints, r.time_ms, r.answered_at, pts});
    }
    row.incorrect = row.responses - row.correct;
    if (row.responses > 0) {
      row.score = static_cast<double>(row.correct) / static_cast<double>(row.responses);
    }
    row.mastery_after = after[i];
    rows.push_back(std::move(row));
  }
  return rows;
}

Result<std::size_t> ArrangeHistory(std::vector<HistoryRow>& rows, const TableQuery& query) {
  return FilterSortPage(rows, kHistoryColumns, OwnOrderOr(query.sort), query.descending,
                        query.offset, query.limit, [](const HistoryRow&) { return true; });
}

}  // namespace cohort::metrics
