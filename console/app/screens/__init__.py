"""Screens of the console: modal views over the main one."""
