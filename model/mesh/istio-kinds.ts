/**
 * Istio's kinds at networking.istio.io/v1, typed with @kubernetes-models/istio 2.3's v1beta1 models:
 * Istio's CRDs serve v1 and v1beta1 with one schema (crd-all.gen.yaml, checked at 1.30.3), and 2.3
 * (the last major that supports Node 20) generated only v1beta1 for these. Types only.
 */
import type { IServiceEntry as IServiceEntryV1beta1 } from "@kubernetes-models/istio/networking.istio.io/v1beta1/ServiceEntry";
import type { IDestinationRule as IDestinationRuleV1beta1 } from "@kubernetes-models/istio/networking.istio.io/v1beta1/DestinationRule";

/** A ServiceEntry at networking.istio.io/v1. */
export type IServiceEntry = Omit<IServiceEntryV1beta1, "apiVersion"> & { apiVersion: "networking.istio.io/v1" };

/** A DestinationRule at networking.istio.io/v1. */
export type IDestinationRule = Omit<IDestinationRuleV1beta1, "apiVersion"> & { apiVersion: "networking.istio.io/v1" };
