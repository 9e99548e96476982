"""huifang (回访): composition root — settings, command line, wiring of the packages."""
