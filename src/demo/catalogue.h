#pragma once

#include <array>
#include <span>
#include <string_view>

// The demo organisation's catalogue: the names people are given, the departments they work in,
// and the courses they take, chapter by chapter. Data only; generator.cc decides who is who.
// Entries are used in order, by index: changing one changes every demo made from a seed.

namespace cohort::demo {

// Departments and teams; `tags` say which kinds of course their people are drawn to, `size` how
// many people they hold relative to the others.
struct GroupEntry {
  std::string_view key, name, tags;
  double size;
};

// The courses with settings other than the defaults, so the demo shows each model at work.
enum class Variant { kPlain, kRecertify, kBkt, kShortWindow, kFivePoints };

// One catalog entry: each chapter is "Chapter title|exercise title|..." (up to six exercises).
struct CourseEntry {
  std::string_view key, title, tag;
  double popularity;
  Variant variant;
  std::array<std::string_view, 6> chapters;  // "" past the last chapter
};

// First and last names, combined at random (with accents and particles, as real rosters have).
std::span<const std::string_view> FirstNames();
std::span<const std::string_view> LastNames();
// Departments and teams: a demo of n teams takes the first n.
std::span<const GroupEntry> Groups();
// Courses: a demo of n courses takes them in order, again with "(Part 2)" past the last.
std::span<const CourseEntry> Courses();

}  // namespace cohort::demo
