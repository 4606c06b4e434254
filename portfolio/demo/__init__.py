"""Realistic, deterministic demo portfolios for trying the app, tests and benchmarks."""

from portfolio.demo.generator import DemoSpec, write_demo

__all__ = ["DemoSpec", "write_demo"]
