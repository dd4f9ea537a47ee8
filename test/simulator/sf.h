/*-------------------------------------------------------------------------
 *
 * sf.h
 *		Private declarations of the Salesforce side of gcsim.
 *
 * Copyright (c) 2026, gcanalytics developers
 *
 * IDENTIFICATION
 *		test/simulator/sf.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef GCSIM_SF_H
#define GCSIM_SF_H

#include "sim.h"

#endif							/* GCSIM_SF_H */
