# SPDX-License-Identifier: MIT
# Benchmarks: one program per question.
