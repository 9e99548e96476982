"""Call audio → timed Chinese text: conversion, VAD, streaming recognisers, evaluation."""
