#pragma once

#include <optional>
#include <string>
#include <vector>

namespace cohort::domain {

enum class MasteryModel { kRecent, kBkt };

// Per-course settings of SPEC §3.7 with their defaults. `mastery_threshold` depends on the model
// when not given, hence optional; ResolvedThreshold() gives the value in force.
struct CourseSettings {
  MasteryModel mastery_model = MasteryModel::kRecent;
  int mastery_window = 10;                        // 1..32
  std::optional<double> mastery_threshold;       // (0, 1]
  double p_init = 0.2, p_learn = 0.1, p_guess = 0.2, p_slip = 0.1;  // each in [0, 1]
  int points_per_question = 10;                   // >= 0
  int max_attempt_seconds = 7200;                 // > 0
  double certification_mastery = 0.8;             // (0, 1]
  std::optional<int> certification_valid_days;    // > 0
  int at_risk_days = 14;                          // > 0

  double ResolvedThreshold() const {
    if (mastery_threshold) return *mastery_threshold;
    return mastery_model == MasteryModel::kBkt ? 0.95 : 0.8;
  }
  bool operator==(const CourseSettings&) const = default;
};

struct ExerciseDef {
  std::string key;
  std::string title;
  // The IRI xAPI statements name the exercise by (docs/xapi.md); none: only its default
  // urn:cohort:exercise:<course>/<exercise>.
  std::optional<std::string> xapi_id = std::nullopt;
  bool operator==(const ExerciseDef&) const = default;
};

struct ChapterDef {
  std::string key;
  std::string title;
  std::vector<ExerciseDef> exercises;
  bool operator==(const ChapterDef&) const = default;
};

// The catalog entry of PUT /api/v1/courses/{course}: ordered chapters of ordered exercises.
struct Course {
  std::string key;
  std::string title;
  std::vector<ChapterDef> chapters;
  CourseSettings settings;
  bool operator==(const Course&) const = default;
};

const char* MasteryModelName(MasteryModel m);

}  // namespace cohort::domain
