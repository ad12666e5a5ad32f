// The translation unit of cohort_test_pch: the target exists to build the precompiled header
// that every test target reuses (root CMakeLists.txt, cohort_test_code).
